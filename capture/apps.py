from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "capture"
    verbose_name = "Email capture"

    def ready(self) -> None:
        from vcc import hooks

        from . import exports
        from .personal_data import PERSON_DATA
        from .selectors import attach_captured_attachments, my_day

        hooks.INTERACTION_DETAILS["capture"] = attach_captured_attachments
        hooks.register_person_data(PERSON_DATA)
        for table in exports.TABLES:
            hooks.register_export(table)
        hooks.NOT_EXPORTED.update(exports.NOT_EXPORTED)
        hooks.register(
            hooks.MY_DAY_SECTIONS,
            hooks.PageSection("captured", "Email to review", "capture/_my_day.html", my_day),
        )
