from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Delivery of every email vcc sends: a Message row first, written in the transaction of
    the change that causes it; then Celery claims it, sends it once, and records the hand-over."""

    name = "outbox"

    def ready(self) -> None:
        from vcc import hooks

        from . import receivers
        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)

        hooks.observer_appointed.connect(receivers.observer_appointed, dispatch_uid="outbox")
