from django.apps import AppConfig


class ConveningsConfig(AppConfig):
    """Convenings, working groups and action items."""

    name = "convenings"

    def ready(self) -> None:
        from vcc import hooks

        from . import selectors
        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)

        hooks.INVITATION_NOTES["groups_led"] = lambda person: [
            f"You lead the working group {group.name} in {group.value_chain.name}: once signed "
            "in, you post and update its action items and record what its meetings decide."
            for group in person.groups_led.select_related("value_chain")
        ]
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
