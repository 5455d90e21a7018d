#!/usr/bin/env python3
"""Import and dashboard benchmarks on PostgreSQL: JSON lines, like bench/run.py.

    make bench                                             # runs this after bench/run.py
    .venv/bin/python bench/imports.py                      # 100,000-row import, 100k network
    .venv/bin/python bench/imports.py --rows 5000 --partners 5000 --requests 20   # quick

1. The network of bench/run.py (same database, `vcc_bench`, reused when it is there), plus
   activity (interactions, introductions, relationships) and outcome reports for the dashboard.
2. A spreadsheet of `--rows` partners (about 1% of them named like partners already there, so
   the duplicate check finds some) is uploaded, checked (the dry run) and imported through the
   same services the Celery worker runs, in a child process: one line each with the time, and
   the child's peak memory. The import line has the issue's target: under 15 s for 100,000
   rows validated, checked for duplicates and imported. The import is then undone (timed too),
   and the database vacuumed.
3. The dashboard (whole network, one chain, a date range) and the printable report through
   gunicorn: p50/p95 and the SQL queries per page (X-Query-Count).

DATABASE_URL (PostgreSQL) as for bench/run.py; REDIS_URL is not needed (the child runs the
tasks in its own process, as a worker would).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import io
import json
import os
import resource
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bench_base", ROOT / "bench" / "run.py")
base = importlib.util.module_from_spec(spec)
sys.modules["bench_base"] = base
spec.loader.exec_module(base)

IMPORT_TARGET_MS = 15_000
RESULTS = base.VAR / "imports.jsonl"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=100_000, help="network size (100000)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows imported (100000)")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--db-name", default="vcc_bench")
    parser.add_argument("--pg-dir", default="/tmp/vcc-bench-pg")
    parser.add_argument("--pg-port", type=int, default=25433)
    parser.add_argument("--own-cluster", action="store_true")
    parser.add_argument("--child", choices=["import"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- in the child: Django set up on the bench database --------------------------------------


def child_import(rows: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from imports import services
    from imports.models import ImportJob
    from partners.models import Partner, ValueChain

    user = get_user_model().objects.get(username=base.BENCH_USERNAME)
    chain, _ = ValueChain.objects.get_or_create(name="Bench imports")
    chain.coordinators.add(user)
    # Names of partners already there (each once): the rows the duplicate check must find.
    existing = list(
        dict.fromkeys(Partner.objects.order_by("?").values_list("name", flat=True)[: rows // 50])
    )[: rows // 100]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Organisation", "Region", "Web site", "Role", "Status", "Joined"])
    roles = ["producer", "processor", "distributor", "buyer"]
    for i in range(rows):
        name = existing[i // 100] if i % 100 == 0 and i // 100 < len(existing) else f"Imp {i}"
        writer.writerow(
            [
                name,
                f"Region {i % 40}",
                f"imp{i}.example",
                roles[i % 4],
                "engaged",
                f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            ]
        )
    data = buffer.getvalue().encode()

    def emit(line):
        line["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(line), flush=True)

    def timed(fn):
        """(result, milliseconds, SQL statements sent on Django's connection)."""
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            result = fn()
        return result, (time.perf_counter() - started) * 1000, count[0]

    job, ms, _ = timed(lambda: services.start_import(user, chain, "partners", "bench.csv", data))
    emit(
        {
            "name": "import_upload",
            "n": rows,
            "p50_ms": round(ms, 1),
            "p95_ms": round(ms, 1),
            "mb": round(len(data) / 1e6, 1),
            "queries": 1,
        }
    )
    job, ms, queries = timed(lambda: services.request_check(job, job.mapping, "skip"))
    job.refresh_from_db()
    emit(
        {
            "name": "import_dry_run",
            "n": rows,
            "p50_ms": round(ms, 1),
            "p95_ms": round(ms, 1),
            "queries": queries,
            "state": job.state,
            "duplicates": job.rows_duplicate,
            "errors": job.rows_with_errors,
        }
    )
    job, ms, queries = timed(lambda: services.request_import(job, {}))
    job.refresh_from_db()
    emit(
        {
            "name": "import_commit",
            "n": rows,
            "p50_ms": round(ms, 1),
            "p95_ms": round(ms, 1),
            "queries": queries,
            "target_ms": IMPORT_TARGET_MS,
            "ok": job.state == "imported" and ms < IMPORT_TARGET_MS,
            "state": job.state,
            "created": job.rows_created,
            "skipped": job.rows_skipped,
            "failure": job.failure,
        }
    )
    job, ms, queries = timed(lambda: services.request_undo(ImportJob.objects.get(pk=job.pk)))
    emit(
        {
            "name": "import_undo",
            "n": rows,
            "p50_ms": round(ms, 1),
            "p95_ms": round(ms, 1),
            "queries": queries,
            "state": job.state,
        }
    )


# --- in the parent ----------------------------------------------------------------------------


def ensure_activity(db, partners: int) -> None:
    """Interactions, introductions, relationships and outcome reports for the dashboard."""
    with base.pg_connect(db.url) as conn:
        intros = conn.execute("SELECT count(*) FROM matchmaking_introduction").fetchone()[0]
        reports = conn.execute("SELECT count(*) FROM outcomes_outcomereport").fetchone()[0]
    if not intros:
        base.log("generate_activity (interactions, introductions, relationships)")
        base.run(
            [
                base.PY,
                base.MANAGE,
                "generate_activity",
                "--interactions",
                str(partners),
                "--introductions",
                str(partners // 5),
                "--relationships",
                str(partners // 2),
            ],
            env=base.django_env(db),
        )
    if not reports:
        base.log("outcome reports: two quarters for every other participation")
        with base.pg_connect(db.url, autocommit=True) as conn:
            conn.execute(
                """
                INSERT INTO outcomes_outcomereport (partner_id, value_chain_id, period_start,
                    period_end, sales_value, volume_unit, jobs_created, jobs_retained,
                    practices_adopted, created_at, updated_at)
                SELECT p.partner_id, p.value_chain_id, q.start, q.start + 89,
                    (p.id % 97) * 1000, '', p.id % 4, p.id % 9, '', now(), now()
                FROM partners_participation p
                CROSS JOIN (VALUES (date '2026-01-01'), (date '2026-04-01')) AS q(start)
                WHERE p.id % 2 = 0
                """
            )
            conn.execute("ANALYZE outcomes_outcomereport")


def run_child(db, rows: int, out) -> None:
    env = base.django_env(db, CELERY_TASK_ALWAYS_EAGER="1")
    env.pop("REDIS_URL", None)
    base.log(f"importing {rows:,} rows (dry run, import, undo) in a child process")
    proc = subprocess.run(
        [base.PY, __file__, "--child", "import", "--rows", str(rows)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            base.emit(json.loads(line), out)
    if proc.returncode:
        raise base.BenchError(f"the import child failed ({proc.returncode})")


def dashboard_scenarios(db, partners: int) -> list:
    with base.pg_connect(db.url) as conn:
        chain_id = conn.execute(
            "SELECT c.id FROM partners_valuechain c JOIN partners_participation p "
            "ON p.value_chain_id = c.id GROUP BY c.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    return [
        # One aggregate per figure (nine), plus the session, the user and the chains.
        base.Scenario("dashboard_network", ["/dashboard/"], partners, max_queries=12),
        base.Scenario(
            "dashboard_chain", [f"/dashboard/?chain={chain_id}"], partners, max_queries=12
        ),
        base.Scenario(
            "dashboard_range",
            ["/dashboard/?start=2026-01-01&end=2026-06-30"],
            partners,
            max_queries=12,
        ),
        base.Scenario("dashboard_report", ["/dashboard/report/"], partners, max_queries=12),
        base.Scenario("dashboard_csv", ["/dashboard/sales.csv"], partners),
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        child_import(args.rows)
        return 0
    base.VAR.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        with open(RESULTS, "w") as out:
            db = base.setup_database(args)
            base.prepare_network(db, args)
            ensure_activity(db, args.partners)
            run_child(db, args.rows, out)
            # The import and its undo leave 100,000 dead partners and participations behind:
            # settle them as autovacuum would before the dashboard scans those tables.
            base.log("VACUUM (ANALYZE) after the import and its undo")
            with base.pg_connect(db.url, autocommit=True) as conn:
                conn.execute("VACUUM (ANALYZE)")
            base.run(
                [base.PY, base.MANAGE, "collectstatic", "--noinput", "-v", "0"],
                env=base.django_env(db),
            )
            server = base.Server(db, args.workers)
            server.start()
            client = base.Client(server.port)
            client.login()
            todo = dashboard_scenarios(db, args.partners)
            base.warm_server(client, todo, args.workers)
            for s in todo:
                base.log(f"measuring {s.name}")
                for line in base.measure(client, [s], args.requests, args.warmup):
                    base.emit(line, out)
        return 0
    except base.BenchError as error:
        base.log(f"ERROR: {error}")
        return 1
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        if server:
            server.stop()
        for cleanup in reversed(base.CLEANUPS):
            with contextlib.suppress(Exception):
                cleanup()


if __name__ == "__main__":
    sys.exit(main())
