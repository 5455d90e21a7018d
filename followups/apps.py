from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    """The periodic follow-ups that span the apps: commitment reminders and the coordinator's
    Monday digest. Each app schedules its own emails (matchmaking.emails, convenings.emails);
    the outbox app delivers them all."""

    name = "followups"
