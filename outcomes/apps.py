from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes and evaluation"

    def ready(self) -> None:
        from vcc import hooks

        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)
