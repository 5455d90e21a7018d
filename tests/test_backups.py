"""`manage.py backup` then `manage.py restore`: the database holds again what it held at the
backup, table by table and row by row, on SQLite (the embedded default) and on PostgreSQL;
and a restore never runs unconfirmed."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from partners.models import Offer, Participation, Partner, Person, Stage, ValueChain
from tests.factories import (
    AffiliationFactory,
    OfferFactory,
    ParticipationFactory,
    PartnerFactory,
    PersonFactory,
    UserFactory,
    ValueChainFactory,
)
from vcc import backups

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[1]


def make_network() -> None:
    chain_a = ValueChainFactory(name="Saligna Hardwood")
    ValueChainFactory(name="Valley Fresh Food")
    sawmill = ParticipationFactory(
        partner=PartnerFactory(name="Amatola Sawmill"), value_chain=chain_a
    ).partner
    ParticipationFactory(partner=PartnerFactory(name="Riverbend Farm"), value_chain=chain_a)
    OfferFactory(partner=sawmill)
    AffiliationFactory(person=PersonFactory(user=UserFactory()), partner=sawmill)
    PersonFactory(first_name="Nomsa", last_name="Dlamini", email="nomsa@riverbend.example")


@pytest.fixture
def network():
    make_network()


def snapshot() -> dict:
    """Counts of several tables, and a few rows of each."""
    user = get_user_model()
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (ValueChain, Stage, Partner, Participation, Person, Offer, user)
        },
        "chains": list(ValueChain.objects.order_by("pk").values_list("pk", "name", "region")),
        "partners": list(Partner.objects.order_by("pk").values_list("pk", "name", "region")),
        "people": list(Person.objects.order_by("pk").values_list("pk", "first_name", "email")),
        "stages": list(Stage.objects.order_by("pk").values_list("value_chain", "position")),
        "users": list(user.objects.order_by("pk").values_list("username", "password")),
    }


def change_everything():
    Partner.objects.filter(name="Amatola Sawmill").delete()
    ValueChain.objects.filter(name="Valley Fresh Food").update(name="Renamed after the backup")
    Person.objects.filter(first_name="Nomsa").update(email="changed@example.org")
    PartnerFactory(name="Added after the backup")


def back_up_and_restore(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output=tmp_path / "backup", stdout=out)
    [path] = (tmp_path).iterdir()
    assert f"Backed up to {path}" in out.getvalue()
    return path


def check_round_trip(tmp_path: Path) -> Path:
    before = snapshot()
    assert before["counts"]["Partner"] >= 2 and before["counts"]["Offer"] == 1
    path = back_up_and_restore(tmp_path)
    change_everything()
    assert snapshot() != before
    out = io.StringIO()
    call_command("restore", str(path), yes=True, stdout=out)
    assert "Restored" in out.getvalue()
    assert snapshot() == before
    # And the app keeps writing after it (sequences restored with the rows).
    PartnerFactory(name="Added after the restore")
    return path


def test_round_trip_on_the_configured_database(network, tmp_path):
    path = check_round_trip(tmp_path)
    magic = b"PGDMP" if connection.vendor == "postgresql" else b"SQLite format 3\x00"
    assert path.read_bytes().startswith(magic)


def test_sqlite_round_trip_in_the_embedded_default(tmp_path):
    """The embedded default (no DATABASE_URL), in a vcc of its own: migrated, filled, backed
    up, changed and restored. Runs where the tests use PostgreSQL (as in CI); on SQLite the
    test above covers it."""
    if connection.vendor == "sqlite":
        pytest.skip("covered by test_round_trip_on_the_configured_database on SQLite")
    script = (
        "import django; django.setup()\n"
        "from pathlib import Path\n"
        "from django.core.management import call_command\n"
        "from django.db import connection\n"
        "call_command('migrate', verbosity=0)\n"
        "assert connection.vendor == 'sqlite'\n"
        "from tests import test_backups as t\n"
        "t.make_network()\n"
        "path = t.check_round_trip(Path(__import__('sys').argv[1]) / 'out')\n"
        "assert path.read_bytes().startswith(b'SQLite format 3')\n"
        "print('round trip ok')\n"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "vcc.settings",
        "VCC_VAR_DIR": str(tmp_path),
    }
    (tmp_path / "out").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "round trip ok" in done.stdout


def test_default_name_is_timestamped_in_var_backups(network, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("backup", stdout=io.StringIO())
    call_command("backup", stdout=io.StringIO())
    names = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(names) == 2
    for name in names:
        assert re.fullmatch(r"vcc-\d{8}-\d{6}(-2)?\.(dump|sqlite3)", name), name


def test_restore_refuses_without_confirmation(network, tmp_path, monkeypatch):
    path = back_up_and_restore(tmp_path)
    change_everything()
    after_change = snapshot()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: nobody to ask
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert snapshot() == after_change


def test_restore_asks_and_stops_on_anything_but_yes(network, tmp_path, monkeypatch):
    path = back_up_and_restore(tmp_path)
    change_everything()
    after_change = snapshot()
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="unchanged"):
        call_command("restore", str(path))
    assert snapshot() == after_change


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_database(network, tmp_path):
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a backup")
    with pytest.raises(CommandError, match="unknown backup"):
        call_command("restore", str(wrong), yes=True)
    with pytest.raises(CommandError, match="not a file"):
        call_command("restore", str(tmp_path / "missing.dump"), yes=True)
    assert backups.kind_of(wrong) == "unknown"
