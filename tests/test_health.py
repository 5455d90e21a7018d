"""/healthz: 200 when the database, the broker and the migrations are all right; 503 naming
what is wrong otherwise; no sign-in, whatever the Host, never cached."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.migrations.recorder import MigrationRecorder

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def failed(response) -> set[str]:
    return {name for name, check in response.json()["checks"].items() if not check["ok"]}


@pytest.mark.django_db
def test_all_ok_answers_200_json_to_anyone(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "migrations"}
    assert failed(response) == set()


@pytest.mark.django_db
def test_answers_a_host_not_in_allowed_hosts(client, settings):
    """A container's probe asks http://127.0.0.1:8000/healthz, whatever ALLOWED_HOSTS holds,
    and is not sent to HTTPS."""
    settings.ALLOWED_HOSTS = ["vcc.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    # Every other page still refuses an unknown host.
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400


@pytest.mark.django_db
def test_broker_at_a_closed_port_answers_503(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    assert failed(response) == {"broker"}
    assert "ConnectionError" in response.json()["checks"]["broker"]["error"]


@pytest.mark.django_db
def test_filesystem_broker_without_its_folders_answers_503(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "gone" / "queue"),
        "data_folder_out": str(tmp_path / "gone" / "queue"),
        "control_folder": str(tmp_path / "gone" / "control"),
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert failed(response) == {"broker"}
    for folder in ("queue", "control"):
        (tmp_path / "gone" / folder).mkdir(parents=True)
    assert client.get("/healthz").status_code == 200


@pytest.mark.services
@pytest.mark.django_db
def test_redis_broker_answers(client, settings):
    require(os.environ.get("REDIS_URL", "").startswith("redis"), "Redis (REDIS_URL)")
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_an_unapplied_migration_answers_503_naming_it(client):
    last = MigrationRecorder.Migration.objects.filter(app="partners").order_by("-id").first()
    MigrationRecorder.Migration.objects.filter(pk=last.pk).delete()  # as before `migrate`
    response = client.get("/healthz")
    assert response.status_code == 503
    assert failed(response) == {"migrations"}
    assert f"partners.{last.name}" in response.json()["checks"]["migrations"]["error"]


@pytest.mark.django_db
def test_constant_queries(client, django_assert_max_num_queries):
    # SELECT 1, and the applied migrations.
    with django_assert_max_num_queries(3):
        assert client.get("/healthz").status_code == 200


def test_database_down_answers_503():
    """The web process up, its database gone (a PostgreSQL address nothing listens on): the
    answer comes in seconds and names the database (and the migrations it cannot read)."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vcc.settings",
        "DATABASE_URL": f"postgres://vcc@127.0.0.1:{closed_port()}/vcc",
        "LOG_LEVEL": "CRITICAL",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    checks = answer["body"]["checks"]
    assert not checks["database"]["ok"] and "OperationalError" in checks["database"]["error"]
    assert not checks["migrations"]["ok"]
    assert checks["broker"]["ok"]
