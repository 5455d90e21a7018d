from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    """Introductions, buyer–producer match suggestions built on partners' offers and needs,
    and the relationship network (strengths, the map, a chain's gaps)."""

    name = "matchmaking"

    def ready(self) -> None:
        from vcc import hooks

        from . import network_views, receivers
        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)

        hooks.listing_changed.connect(receivers.listing_changed, dispatch_uid="matchmaking")
        hooks.listings_added.connect(receivers.listings_added, dispatch_uid="matchmaking")
        hooks.interactions_logged.connect(receivers.interactions_logged, dispatch_uid="matchmaking")
        hooks.commitment_kept.connect(receivers.commitment_kept, dispatch_uid="matchmaking")
        hooks.register(
            hooks.PARTNER_TABS,
            hooks.PageSection(
                key="introductions",
                label="Relationships",
                template="matchmaking/_partner_tab.html",
                context=network_views.partner_tab,
            ),
        )
