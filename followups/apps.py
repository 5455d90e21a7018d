from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    """Follow-through across the apps: My day (the coordinator's home page), tasks (with an
    interaction's "follow up on" date as one), and the periodic follow-ups: commitment and
    task reminders and the coordinator's Monday digest. Each app schedules its own emails
    (matchmaking.emails, convenings.emails); the outbox app delivers them all."""

    name = "followups"

    def ready(self) -> None:
        from vcc import hooks

        from . import exports, receivers
        from .links import add_task_link
        from .personal_data import PERSON_DATA

        hooks.interactions_logged.connect(receivers.interactions_logged, dispatch_uid="followups")
        hooks.PAGE_ACTIONS["followups.add_task"] = add_task_link
        hooks.register_person_data(PERSON_DATA)
        for table in exports.TABLES:
            hooks.register_export(table)
        hooks.NOT_EXPORTED.update(exports.NOT_EXPORTED)
