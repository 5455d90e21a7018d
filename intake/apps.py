from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake forms"

    def ready(self) -> None:
        from vcc import hooks

        from . import exports
        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)
        for table in exports.TABLES:
            hooks.register_export(table)
