"""LOG_FORMAT=json: every line the web process and Celery print is one JSON object, a request's
line with its request id, route, status and user id and nothing personal; and Sentry, when
SENTRY_DSN is set, receives a server error without cookies or user data.

Each runs vcc in a process of its own, as a server does: settings read the environment once."""

import datetime
import gzip
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_vcc(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "vcc.settings",
        "VCC_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
        **env,
    }
    prelude = "import django, logging; django.setup()\nfrom django.test import Client\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_json_log_lines_parse_with_their_fields(tmp_path):
    done = run_vcc(
        "Client().get('/accounts/login/?email=someone@private.example',"
        " HTTP_X_REQUEST_ID='probe-1')\n"
        "Client().get('/no-such-page/')\n"
        "logging.getLogger('vcc.anything').warning('a warning in the web process')\n"
        "from vcc.celery import app\n"
        "app.log.setup(loglevel='INFO')\n"
        "from celery.utils.log import get_task_logger\n"
        "get_task_logger('outbox.tasks').warning('a warning in a task')\n",
        tmp_path,
        LOG_FORMAT="json",
    )
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= set(line), line
        assert datetime.datetime.fromisoformat(line["time"]).utcoffset() == datetime.timedelta(0)
    requests = [line for line in lines if line["logger"] == "vcc.requests"]
    login, missing = requests
    assert login["request_id"] == "probe-1"
    assert login["method"] == "GET" and login["path"] == "/accounts/login/"
    assert login["status"] == 200 and login["user_id"] is None
    assert isinstance(login["duration_ms"], float)
    assert missing["status"] == 404 and missing["path"] == "(unmatched)"
    assert len(missing["request_id"]) == 32  # a new id when the proxy gives none
    assert any(line["message"] == "a warning in the web process" for line in lines)
    assert any(line["message"] == "a warning in a task" for line in lines)
    assert "private.example" not in done.stderr


def test_plain_text_logs_by_default(tmp_path):
    done = run_vcc("logging.getLogger('vcc.anything').warning('plain words')\n", tmp_path)
    [line] = [line for line in done.stderr.splitlines() if "plain words" in line]
    assert line.endswith("WARNING vcc.anything [-] plain words")


class SentrySink(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        SentrySink.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_sentry_receives_a_server_error_without_personal_data(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), SentrySink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SentrySink.received.clear()
    try:
        run_vcc(
            "import sentry_sdk\n"
            "from django.test import override_settings\n"
            "client = sentry_sdk.get_client()\n"
            "assert client.is_active() and client.options['send_default_pii'] is False\n"
            # (Sessions in the cookie: this process has no database tables, and the sign-in
            # middleware reads the session the cookie names.)
            "with override_settings(ROOT_URLCONF='tests.outbox.test_error_mail',"
            " SESSION_ENGINE='django.contrib.sessions.backends.signed_cookies'):\n"
            "    browser = Client(raise_request_exception=False)\n"
            "    browser.cookies['sessionid'] = 'secret-session-cookie'\n"
            "    answer = browser.get('/broken/7/?email=someone@private.example')\n"
            "    assert answer.status_code == 500\n"
            "sentry_sdk.flush(10)\n",
            tmp_path,
            SENTRY_DSN=f"http://public@127.0.0.1:{server.server_port}/1",
            LOG_LEVEL="CRITICAL",
        )
    finally:
        server.shutdown()
    received = b"\n".join(SentrySink.received).decode()
    assert "the sawmill's ledger does not balance" in received
    assert '"django"' in received  # the Django integration's event
    assert "secret-session-cookie" not in received
    assert "private.example" not in received and '"url":"/broken/{pk}/"' in received


def test_without_sentry_dsn_sentry_is_off(tmp_path):
    run_vcc(
        "import sentry_sdk\nassert not sentry_sdk.get_client().is_active()\n",
        tmp_path,
        SENTRY_DSN="",
    )


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def request_lines():
    collect = Collect()
    logger = logging.getLogger("vcc.requests")
    old_level = logger.level
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    yield collect.records
    logger.removeHandler(collect)
    logger.setLevel(old_level)


@pytest.mark.django_db
def test_a_signed_in_request_line_carries_the_user_id_and_the_route(
    as_coordinator, coordinator, partner_a, request_lines
):
    response = as_coordinator.get(f"/partners/{partner_a.pk}/", HTTP_X_REQUEST_ID="abc-123")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "abc-123"
    [line] = request_lines
    assert line.user_id == coordinator.pk and line.status == 200
    assert line.path == "/partners/<id:pk>/" and line.request_id == "abc-123"


@pytest.mark.django_db
def test_a_request_id_from_outside_that_is_not_an_id_is_replaced(client, request_lines):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>" + "x" * 100)
    assert len(response["X-Request-ID"]) == 32
    assert request_lines[0].request_id == response["X-Request-ID"]


def test_gunicorn_own_lines_are_json_too(tmp_path):
    """gunicorn's lines (a worker timing out, say) with the stack's --config."""
    done = run_vcc(
        "from gunicorn.config import Config\n"
        "from gunicorn.glogging import Logger\n"
        "from vcc import gunicorn_conf\n"
        "config = Config()\n"
        "config.set('logconfig_dict', gunicorn_conf.logconfig_dict)\n"
        "Logger(config).critical('WORKER TIMEOUT (pid:%s)', 42)\n",
        tmp_path,
        LOG_FORMAT="json",
    )
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert {
        "logger": "gunicorn.error",
        "level": "CRITICAL",
        "message": "WORKER TIMEOUT (pid:42)",
    }.items() <= lines[-1].items()


@pytest.mark.django_db
def test_a_task_line_carries_its_task_id():
    from vcc.celery import app
    from vcc.logs import RequestContextFilter

    @app.task(name="tests.logs.noisy_task")
    def noisy_task():
        logging.getLogger("vcc.tests.noisy").warning("from inside a task")

    collect = Collect()
    collect.addFilter(RequestContextFilter())
    logger = logging.getLogger("vcc.tests.noisy")
    logger.addHandler(collect)
    try:
        result = noisy_task.apply()
    finally:
        logger.removeHandler(collect)
    [record] = collect.records
    assert record.request_id == result.id
