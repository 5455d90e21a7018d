from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Delivery of every email vcc sends: a Message row first, written in the transaction of
    the change that causes it; then Celery claims it, sends it once, and records the hand-over."""

    name = "outbox"

    def ready(self) -> None:
        from vcc import hooks

        from . import receivers

        hooks.observer_appointed.connect(receivers.observer_appointed, dispatch_uid="outbox")
