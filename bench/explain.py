#!/usr/bin/env python3
"""Why is a page slow? Requests it in-process as the bench user, lists every SQL query it ran
with its time, and prints EXPLAIN (ANALYZE, BUFFERS) for the slowest ones.

    eval "$(.ci/services.sh)"        # or start the bench cluster some other way
    DATABASE_URL=${DATABASE_URL%/*}/vcc_bench .venv/bin/python bench/explain.py "/partners/?q=co-op"

Options: --top N (explain the N slowest queries, 1), --repeat N (request N times first, to warm
caches, 2), --user NAME (bench@vcc.local). Each EXPLAIN ANALYZE runs in a transaction that is
rolled back.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help='a page of the app, e.g. "/partners/?q=co-op"')
    parser.add_argument("--top", type=int, default=1, help="explain the N slowest queries")
    parser.add_argument("--repeat", type=int, default=2, help="warm-up requests first")
    parser.add_argument("--user", default="bench@vcc.local", help="who is signed in")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to the bench database (PostgreSQL).", file=sys.stderr)
        return 2

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    if (ROOT / "var" / "bench" / "staticfiles" / "staticfiles.json").exists():
        # What bench/run.py collected: without a manifest every {% static %} hashes its file.
        os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench" / "staticfiles"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client

    user = get_user_model().objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    for _ in range(args.repeat):
        client.get(args.path)

    ran: list[tuple[float, str, tuple]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ran.append(((time.perf_counter() - started) * 1000, sql, params))

    started = time.perf_counter()
    with connection.execute_wrapper(record):
        response = client.get(args.path)
    total = (time.perf_counter() - started) * 1000
    sql_ms = sum(ms for ms, _, _ in ran)
    print(
        f"GET {args.path}: {response.status_code}, {total:.1f} ms in all, "
        f"{len(ran)} queries taking {sql_ms:.1f} ms (the rest is Python: {total - sql_ms:.1f} ms)"
    )
    for i, (ms, sql, _) in enumerate(ran, 1):
        print(f"  {i:2d}. {ms:7.1f} ms  {' '.join(sql.split())[:150]}")

    slowest = sorted(
        (r for r in ran if r[1].lstrip().upper().startswith("SELECT")), key=lambda r: -r[0]
    )
    for ms, sql, params in slowest[: args.top]:
        print(f"\n--- {ms:.1f} ms ---\n{sql}\n--- params: {params!r}\n")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
            transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
