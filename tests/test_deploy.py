"""The production-shaped stack and the CI scripts: every command names something real."""

import importlib
import os
import shlex
import subprocess
from pathlib import Path

import yaml
from celery import Celery
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def words(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return shlex.split(command if isinstance(command, str) else " ".join(command))


def test_stack_has_its_five_services():
    assert set(SERVICES) == {"web", "worker", "beat", "postgres", "redis"}


def test_app_services_share_database_and_broker():
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:6379"), name
        assert "SECRET_KEY" in env


def test_gunicorn_serves_a_real_wsgi_application():
    command = " ".join(words("web"))
    target = next(w for w in shlex.split(command.replace("&&", " ")) if ":application" in w)
    module, attr = target.split(":")
    assert callable(getattr(importlib.import_module(module), attr))


def test_manage_py_commands_exist():
    command = " ".join(words("web"))
    parts = shlex.split(command.replace("&&", " "))
    asked = [parts[i + 1] for i, w in enumerate(parts) if w == "manage.py"]
    assert asked == ["migrate", "collectstatic"]
    assert set(asked) <= set(get_commands())


def test_celery_commands_name_the_app_and_scheduler():
    for name in ("worker", "beat"):
        parts = words(name)
        assert parts[:3] == ["celery", "-A", "vcc"], name
        app = importlib.import_module(parts[2]).celery_app
        assert isinstance(app, Celery)
    scheduler = words("beat")[words("beat").index("--scheduler") + 1]
    module, cls = scheduler.split(":")
    assert isinstance(getattr(importlib.import_module(module), cls), type)


def test_ci_scripts_are_executable_bash():
    for script in (".ci/run", ".ci/services.sh"):
        path = ROOT / script
        assert os.access(path, os.X_OK), script
        subprocess.run(["bash", "-n", str(path)], check=True)
