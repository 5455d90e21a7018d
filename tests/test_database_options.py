"""Web connections to PostgreSQL skip parallel plans and JIT (see vcc/wsgi.py)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent

SHOW = """
import vcc.wsgi
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW max_parallel_workers_per_gather")
    workers = cursor.fetchone()[0]
    cursor.execute("SHOW jit")
    print(workers, cursor.fetchone()[0])
"""


@pytest.mark.services
@pytest.mark.django_db
def test_the_web_servers_connections_plan_without_parallel_workers_or_jit():
    require(connection.vendor == "postgresql", "PostgreSQL")
    db = connection.settings_dict
    url = (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "vcc.settings"}
    env.pop("VCC_PG_OPTIONS", None)
    shown = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["0", "off"]
