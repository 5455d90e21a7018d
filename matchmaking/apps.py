from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    """Introductions, and buyer–producer match suggestions built on partners' offers and needs."""

    name = "matchmaking"

    def ready(self) -> None:
        from . import signals  # noqa: F401
