from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    """The durable outbox: every follow-up email is a row first, then Celery sends it."""

    name = "followups"
