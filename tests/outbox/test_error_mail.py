"""A server error reaches the administrators (ADMINS) as an outbox email, even when the
failing request's transaction is rolled back; once an hour per distinct error; and reporting
never breaks the error page."""

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from outbox.error_mail import ServerErrorEmailHandler
from outbox.models import Kind, Message
from partners.models import ValueChain
from tests.factories import ValueChainFactory
from vcc.celery import app


def broken_view(request, pk):
    raise RuntimeError("the sawmill's ledger does not balance")


def broken_in_a_transaction(request):
    with transaction.atomic():
        ValueChainFactory(name="Written, then rolled back")
        raise RuntimeError("failed half-way through a write")


def fine_view(request):
    return HttpResponse("ok")


urlpatterns = [
    path("broken/<int:pk>/", broken_view),
    path("half-written/", broken_in_a_transaction),
    path("fine/", fine_view),
    path("", include("vcc.urls")),  # (the emails' opt-out links)
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admins(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@vcc.example"), ("Thandi", "thandi@vcc.example")]
    return settings.ADMINS


def visit(url: str, **headers):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "secret-session-cookie"
    return client.get(url, **headers)


def test_a_view_raising_queues_one_email_per_admin(admins):
    response = visit("/broken/7/?email=someone@private.example", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 500
    messages = Message.objects.order_by("to_address")
    assert [m.to_address for m in messages] == ["ops@vcc.example", "thandi@vcc.example"]
    message = messages[0]
    assert message.kind == Kind.OTHER
    assert message.subject.startswith("[vcc] ERROR: RuntimeError: the sawmill's ledger")
    body = message.body_text
    assert "Traceback" in body and "broken_view" in body
    assert "GET /broken/<int:pk>/" in body and "req-42" in body
    # No query string, no cookies: nothing personal leaves in the report.
    assert "private.example" not in body and "secret-session-cookie" not in body


def test_the_same_error_again_is_not_mailed_again_within_the_hour(admins):
    for _ in range(3):
        assert visit("/broken/7/").status_code == 500
    assert Message.objects.count() == len(admins)


def test_a_rolled_back_request_still_reports(admins):
    assert visit("/half-written/").status_code == 500
    assert not ValueChain.objects.filter(name="Written, then rolled back").exists()
    assert Message.objects.filter(subject__contains="failed half-way").count() == 2


def test_an_error_logged_inside_an_open_transaction_survives_its_rollback(admins):
    log = logging.getLogger("django.request")
    try:
        with transaction.atomic():
            ValueChainFactory(name="Rolled back")
            try:
                raise ValueError("inside the transaction")
            except ValueError:
                log.exception("Internal Server Error: a task")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert not ValueChain.objects.exists()
    # (On SQLite, the one writer, the report is written once the rollback frees the file.)
    reported = Message.objects.filter(subject__contains="inside the transaction")
    assert wait_for(lambda: reported.count() == 2)


def wait_for(condition, seconds: float = 15) -> bool:
    """Polls while the report's own thread writes (an in-memory SQLite table it is writing
    to answers "locked" meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass
        time.sleep(0.1)
    return False


def test_no_admins_no_email(admins, settings):
    settings.ADMINS = []
    assert visit("/broken/7/").status_code == 500
    assert not Message.objects.exists()


def test_a_working_page_reports_nothing(admins):
    assert visit("/fine/").status_code == 200
    assert not Message.objects.exists()


def test_reporting_never_raises(admins, monkeypatch, capsys):
    """The outbox itself failing (here: its table unreadable) still gives the user the error
    page; the failure to report is printed, not raised."""

    def outbox_down(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("outbox.error_mail.schedule_report", outbox_down)
    handler = ServerErrorEmailHandler()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    handler.emit(record)  # does not raise
    assert visit("/broken/7/").status_code == 500
    assert "outbox unavailable" in capsys.readouterr().err


def test_a_request_for_another_host_is_not_mailed(admins, settings):
    settings.ALLOWED_HOSTS = ["vcc.example.org"]
    assert visit("/fine/", HTTP_HOST="scanner.example").status_code == 400
    assert not Message.objects.exists()


def test_vcc_admins_names_the_administrators():
    """VCC_ADMINS as an operator writes it, read into Django's ADMINS."""
    script = "from django.conf import settings; print(settings.ADMINS)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vcc.settings",
        "VCC_ADMINS": "Thandi Mokoena <thandi@vcc.example>, ops@vcc.example,, not-an-address",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(
        [("Thandi Mokoena", "thandi@vcc.example"), ("", "ops@vcc.example")]
    )


@app.task(name="tests.outbox.failing_task")
def failing_task(pk):
    raise LookupError(f"partner {pk} vanished mid-task")


def test_a_task_that_raises_is_mailed_too(admins):
    result = failing_task.apply(args=[7])
    assert result.failed()
    [subject] = set(Message.objects.values_list("subject", flat=True))
    assert subject == "[vcc] ERROR: LookupError: partner 7 vanished mid-task"
    assert Message.objects.count() == 2
