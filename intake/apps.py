from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake forms"

    def ready(self) -> None:
        from vcc import hooks

        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)
