from django.apps import AppConfig


class ConveningsConfig(AppConfig):
    """Convenings, working groups and action items."""

    name = "convenings"
