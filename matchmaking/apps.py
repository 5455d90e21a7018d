from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    """Buyer-producer match suggestions (built on partners' offers and needs)."""

    name = "matchmaking"
