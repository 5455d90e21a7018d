from django.apps import AppConfig


class ConveningsConfig(AppConfig):
    """Convenings, working groups and action items."""

    name = "convenings"

    def ready(self) -> None:
        from vcc import hooks

        from . import selectors

        hooks.register(
            hooks.PERSON_SECTIONS,
            hooks.PageSection(
                key="actions",
                label="Action items",
                template="convenings/_person_actions.html",
                context=lambda request, person: {
                    "actions": selectors.person_action_items(person, request.user)
                },
            ),
        )
