#!/usr/bin/env python3
"""Import benchmark: a spreadsheet of N partners (100,000 by default) checked and imported into
the bench database, as the Celery tasks do it; then undone, so the network stays as it was.

    DATABASE_URL=postgres://.../vcc_bench .venv/bin/python bench/imports.py [--rows N]

Prints one JSON line per phase (upload, check, import, undo) with `seconds`, and a line
`import_100k` with the total of check and import against the issue's 15 s, and the peak memory
(ru_maxrss) of the process. `make bench` runs it after bench/run.py, on the database it used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 15


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to the bench database (PostgreSQL).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from imports import services
    from partners.models import ValueChain

    user = get_user_model().objects.filter(is_superuser=False, is_staff=True).order_by("id").first()
    chain = ValueChain.objects.filter(coordinators=user).order_by("id").first()
    if user is None or chain is None:
        print("No coordinator with a chain: run bench/run.py first.", file=sys.stderr)
        return 2
    rng = random.Random(7)
    towns = ["Mthatha", "Durban", "Fresno", "Stellenbosch", "Hogsback", "Karkloof"]
    lines = ["Organisation,Type,Province,Website,Lat,Lng,Date joined"]
    for i in range(args.rows):
        town = rng.choice(towns)
        lines.append(
            f"Imported {town} Enterprise {i:06d},co-op,Eastern Cape,imp{i}.example,"
            f"-3{rng.randint(0, 3)}.{rng.randint(1000, 9999)},2{rng.randint(6, 9)}.{i % 9999},"
            f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        )
    data = ("\n".join(lines) + "\n").encode()

    def phase(name, fn):
        started = time.perf_counter()
        result = fn()
        seconds = round(time.perf_counter() - started, 2)
        print(
            json.dumps({"name": f"import_{name}", "n": args.rows, "seconds": seconds}), flush=True
        )
        return result, seconds

    run, _ = phase(
        "upload",
        lambda: services.start_import(
            by=user, chain=chain, kind="partners", name="bench.csv", data=data
        ),
    )
    run, checking = phase("check", lambda: services.check_import(run, user))
    assert run.report["error_count"] == 0, run.report["errors"][:3]
    run, importing = phase("import", lambda: services.import_rows(run, user))
    total = round(checking + importing, 2)
    peak_mib = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(
        json.dumps(
            {
                "name": "import_100k" if args.rows == 100_000 else "import_rows",
                "n": args.rows,
                "seconds": total,
                "target_seconds": TARGET_SECONDS,
                "ok": total < TARGET_SECONDS,
                "peak_memory_mib": peak_mib,
                "p50_ms": None,
                "p95_ms": None,
                "queries": None,
            }
        ),
        flush=True,
    )
    phase("undo", lambda: services.undo_import(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
