from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and value chains"

    def ready(self) -> None:
        from vcc import hooks

        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)
