from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "Spreadsheet imports"

    def ready(self) -> None:
        from vcc import hooks

        from . import exports
        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)
        for table in exports.TABLES:
            hooks.register_export(table)
