from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A person's data export and erasure, gathered from every app's vcc.hooks.PERSON_DATA."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Personal data"

    def ready(self) -> None:
        from vcc import hooks

        from . import selectors
        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)
        hooks.NOT_EXPORTED["privacy.PrivacyRequest"] = (
            "the operator's record of people's data requests and erasures, kept for the site"
        )
        hooks.register(
            hooks.PERSON_SECTIONS,
            hooks.PageSection(
                key="personal_data",
                label="Personal data",
                template="privacy/_person_section.html",
                context=selectors.person_section,
            ),
        )
