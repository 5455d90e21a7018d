#!/usr/bin/env python3
"""Matchmaking benchmark on PostgreSQL: 10,000 offers and 10,000 needs over about 200 products.

    DATABASE_URL=postgres://... .venv/bin/python bench/matchmaking.py [--offers N --needs N]

Creates (and drops at the start) the database `vcc_bench_matchmaking` on DATABASE_URL's
server, fills it, then measures:
- matchmaking.recompute_all: the full recompute of the top 10 for every need (target < 3 s),
  each run in a fresh process whose peak memory (resource.getrusage maxrss) is reported
  (target < 1 GiB);
- matchmaking.recompute_after_change: what the task does after one offer or one need changed
  (target < 100 ms), and .parent_offer: offers of a parent product (the needs of every child
  are theirs too), each saved three times: volume + 1, its season cut to one month (it falls
  out of the needs' tops), its season back;
- matchmaking.need_page: one need's suggestion page through gunicorn (p95 target < 100 ms),
  with X-Query-Count.
Prints one JSON object per line per measurement on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DBNAME = "vcc_bench_matchmaking"
RECOMPUTE_MS = 3000
MEMORY_MIB = 1024
CHANGE_MS = 100
PAGE_P95_MS = 100


def log(message: str) -> None:
    print(f"[bench-matchmaking {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def emit(line: dict) -> None:
    print(json.dumps(line), flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def bench_url(server_url: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + DBNAME))


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- data --------------------------------------------------------------------------------------


def has_bench_user(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            found = conn.execute(
                "SELECT 1 FROM auth_user WHERE username = 'bench@vcc.local'"
            ).fetchone()
    except psycopg.Error:
        return False
    return found is not None


def recreate_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DBNAME}"')


def generate(offers: int, needs: int, seed: int = 4) -> None:
    """Two value chains; ~200 products in a two-level tree; producers and buyers placed around
    two regions (a tenth without a location); certifications required by some needs."""
    from django.contrib.auth import get_user_model

    from partners.models import (
        Certification,
        Need,
        Offer,
        Participation,
        Partner,
        Product,
        ValueChain,
    )
    from partners.services import make_coordinator

    rng = random.Random(seed)
    chains = [ValueChain.objects.create(name=n) for n in ("Valley Fresh Food", "Saligna Hardwood")]
    user = get_user_model().objects.create_user("bench@vcc.local", password="x")
    make_coordinator(user=user)
    for chain in chains:
        chain.coordinators.add(user)
    certs = [Certification.objects.create(name=n) for n in ("Organic", "GAP", "FSC", "HACCP")]
    categories = [Product.objects.create(name=f"Category {i}") for i in range(20)]
    products = Product.objects.bulk_create(
        Product(name=f"Product {c}-{j}", parent=categories[c]) for c in range(20) for j in range(9)
    )
    all_products = categories + products
    n_partners = (offers + needs) // 4
    centres = [(36.7, -119.8), (-32.9, 27.4)]
    partners = []
    for i in range(n_partners):
        lat, lon = centres[i % 2]
        located = rng.random() > 0.1
        partners.append(
            Partner(
                name=f"Bench partner {i}",
                latitude=round(lat + rng.uniform(-1.5, 1.5), 5) if located else None,
                longitude=round(lon + rng.uniform(-1.5, 1.5), 5) if located else None,
                size=rng.choice(["micro", "small", "medium", "large", ""]),
                locally_owned=rng.random() < 0.4,
                women_owned=rng.random() < 0.2,
            )
        )
    partners = Partner.objects.bulk_create(partners, batch_size=2000)
    Participation.objects.bulk_create(
        [
            Participation(partner=p, value_chain=chains[i % 2], chain_role="producer")
            for i, p in enumerate(partners)
        ],
        batch_size=2000,
    )
    through = Partner.certifications.through
    through.objects.bulk_create(
        [
            through(partner_id=p.pk, certification_id=rng.choice(certs).pk)
            for p in partners
            if rng.random() < 0.5
        ],
        batch_size=5000,
    )

    def months():
        start, length = rng.randrange(12), rng.randint(2, 12)
        return sum(1 << ((start + k) % 12) for k in range(length))

    def product():
        return rng.choice(products) if rng.random() < 0.9 else rng.choice(all_products)

    Offer.objects.bulk_create(
        [
            Offer(
                partner=rng.choice(partners),
                product=product(),
                volume=rng.randint(10, 5000),
                unit="kg",
                period=rng.choice(["week", "month", "year"]),
                months=months(),
                delivery_radius_km=rng.choice([None, 25, 50, 100, 200]),
            )
            for _ in range(offers)
        ],
        batch_size=5000,
    )
    created = Need.objects.bulk_create(
        [
            Need(
                partner=rng.choice(partners),
                product=product(),
                volume=rng.randint(10, 5000),
                unit="kg",
                period=rng.choice(["week", "month", "year"]),
                months=months(),
                max_distance_km=rng.choice([None, 100, 300]),
            )
            for _ in range(needs)
        ],
        batch_size=5000,
    )
    required = Need.required_certifications.through
    required.objects.bulk_create(
        [
            required(need_id=n.pk, certification_id=rng.choice(certs).pk)
            for n in created
            if rng.random() < 0.1
        ],
        batch_size=5000,
    )


# --- steps (each in its own process) -----------------------------------------------------------


def step_recompute() -> dict:
    from django.db import connection

    from matchmaking.models import Suggestion
    from matchmaking.suggestions import recompute_all

    counter = _Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        stored = recompute_all()
    elapsed = (time.perf_counter() - started) * 1000
    return {
        "ms": elapsed,
        "queries": counter.count,
        "stored": stored,
        "rows": Suggestion.objects.count(),
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def step_change(samples: int, parent_offers: int) -> dict:
    from django.db import connection

    from matchmaking.suggestions import recompute_for_listing
    from partners.models import Need, Offer

    rng = random.Random(7)
    offer_ids = list(Offer.objects.values_list("pk", flat=True))
    need_ids = list(Need.objects.values_list("pk", flat=True))
    parent_ids = list(
        Offer.objects.filter(product__parent__isnull=True).values_list("pk", flat=True)
    )

    def timed(listing) -> tuple[float, int]:
        listing.save()  # its signal queues the task only on commit; the task's work is timed:
        counter = _Counter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            kind = "offer" if isinstance(listing, Offer) else "need"
            recompute_for_listing(kind, listing.pk, listing.product_id)
        return (time.perf_counter() - started) * 1000, counter.count

    times, kinds, queries = [], [], []
    for i in range(samples):
        model, ids = (Offer, offer_ids) if i % 2 == 0 else (Need, need_ids)
        listing = model.objects.get(pk=rng.choice(ids))
        listing.volume = listing.volume + 1
        ms, count = timed(listing)
        times.append(ms)
        kinds.append("offer" if model is Offer else "need")
        queries.append(count)
    parent_times, parent_changes, parent_queries = [], [], []
    for pk in rng.sample(parent_ids, min(parent_offers, len(parent_ids))):
        offer = Offer.objects.get(pk=pk)
        months = offer.months
        for change in ("volume", "cut", "back"):
            if change == "volume":
                offer.volume = offer.volume + 1
            else:
                offer.months = (months & -months) if change == "cut" else months
            ms, count = timed(offer)
            parent_times.append(ms)
            parent_changes.append(change)
            parent_queries.append(count)
    return {
        "times": times,
        "kinds": kinds,
        "queries": max(queries),
        "parent_times": parent_times,
        "parent_changes": parent_changes,
        "parent_queries": max(parent_queries, default=0),
    }


def step_page_targets(count: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from matchmaking.models import Suggestion

    user = get_user_model().objects.get(username="bench@vcc.local")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "partners.backends.RoleBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    need_ids = list(Suggestion.objects.filter(rank=1).values_list("need_id", flat=True)[:count])
    return {"session": session.session_key, "needs": need_ids}


def run_step(url: str, step: str, *args: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- the page, through gunicorn -----------------------------------------------------------------


def measure_page(url: str, targets: dict, rounds: int) -> tuple[list[float], int, int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VCC_QUERY_COUNT_HEADER": "1",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(ROOT / "var" / "bench" / "staticfiles"),
    }
    log("collectstatic (as production runs it before gunicorn)")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    logfile = open(ROOT / "var" / "bench" / "gunicorn-matchmaking.log", "w")
    proc = subprocess.Popen(
        [str(gunicorn), "vcc.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        headers = {"Cookie": f"sessionid={targets['session']}"}
        times, queries, errors = [], 0, 0
        for r in range(rounds + 1):
            for need in targets["needs"]:
                # gunicorn's sync workers close every connection: one per request.
                started = time.perf_counter()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", f"/needs/{need}/suggestions/", headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                conn.close()
                if response.status != 200 or b'class="card suggestion"' not in body:
                    errors += 1
                queries = max(queries, int(response.getheader("X-Query-Count", "0")))
                if r:  # the first round warms the workers
                    times.append(elapsed)
        return times, queries, errors
    finally:
        proc.terminate()
        proc.wait(15)
        logfile.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="full recomputes to time")
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument(
        "--parent-offers", type=int, default=10, help="offers of a parent product to change"
    )
    parser.add_argument("--pages", type=int, default=100, help="needs whose page is fetched")
    parser.add_argument(
        "--only",
        default="recompute,change,page",
        help="comma-separated measurements to make (recompute, change, page); change and page "
        "use the suggestions in the database",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"keep {DBNAME} as it is if it holds the bench user (neither dropped nor filled)",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        log("set DATABASE_URL to a PostgreSQL server (the bench database is created on it)")
        return 2

    if args.step:  # a child process: DATABASE_URL is the bench database already
        django_setup(server)
        if args.step == "generate":
            generate(args.offers, args.needs)
            result = {}
        elif args.step == "recompute":
            result = step_recompute()
        elif args.step == "change":
            result = step_change(args.changes, args.parent_offers)
        else:
            result = step_page_targets(args.pages)
        print(json.dumps(result))
        return 0

    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    # One key for every step and the server: the session made for the page is valid there.
    os.environ["SECRET_KEY"] = "bench"
    url = bench_url(server)
    only = set(args.only.split(","))
    n = args.offers + args.needs
    if args.reuse and has_bench_user(url):
        log(f"reusing {DBNAME}")
    else:
        log(f"recreating {DBNAME}")
        recreate_database(server)
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        log(f"generating {args.offers} offers and {args.needs} needs over 200 products")
        started = time.perf_counter()
        run_step(url, "generate", "--offers", str(args.offers), "--needs", str(args.needs))
        log(f"generated in {time.perf_counter() - started:.1f} s")
        if "recompute" not in only:
            run_step(url, "recompute")  # the suggestions the other steps use

    if "recompute" in only:
        load = os.getloadavg()[0]
        runs = [run_step(url, "recompute") for _ in range(args.runs)]
        times = [r["ms"] for r in runs]
        p95 = percentile(times, 95)
        emit(
            {
                "name": "matchmaking.recompute_all",
                "n": n,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                "queries": max(r["queries"] for r in runs),
                "suggestions": runs[-1]["rows"],
                "runs": len(runs),
                "target_ms": RECOMPUTE_MS,
                "ok": p95 < RECOMPUTE_MS,
                "load_1m": load,
            }
        )
        peak = max(r["maxrss_mib"] for r in runs)
        emit(
            {
                "name": "matchmaking.recompute_all.peak_memory",
                "n": n,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                "queries": max(r["queries"] for r in runs),
                "maxrss_mib": round(peak, 1),
                "target_mib": MEMORY_MIB,
                "ok": peak < MEMORY_MIB,
                "load_1m": load,
            }
        )

    if "change" in only:
        load = os.getloadavg()[0]
        change = run_step(
            url,
            "change",
            "--changes",
            str(args.changes),
            "--parent-offers",
            str(args.parent_offers),
        )
        times = change["times"]
        p95 = percentile(times, 95)
        by_kind = {
            f"{kind}_{p}_ms": round(
                percentile(
                    [t for t, k in zip(times, change["kinds"], strict=True) if k == kind], q
                ),
                1,
            )
            for kind in ("offer", "need")
            for p, q in (("p50", 50), ("p95", 95))
        }
        emit(
            {
                "name": "matchmaking.recompute_after_change",
                "n": n,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                **by_kind,
                "queries": change["queries"],
                "samples": len(times),
                "target_ms": CHANGE_MS,
                "ok": p95 < CHANGE_MS,
                "load_1m": load,
            }
        )
        if change["parent_times"]:
            times = change["parent_times"]
            p95 = percentile(times, 95)
            emit(
                {
                    "name": "matchmaking.recompute_after_change.parent_offer",
                    "n": n,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(p95, 1),
                    "max_ms": round(max(times), 1),
                    **{
                        f"{kind}_p50_ms": round(
                            statistics.median(
                                t
                                for t, c in zip(times, change["parent_changes"], strict=True)
                                if c == kind
                            ),
                            1,
                        )
                        for kind in ("volume", "cut", "back")
                    },
                    "queries": change["parent_queries"],
                    "samples": len(times),
                    "target_ms": CHANGE_MS,
                    "ok": p95 < CHANGE_MS,
                    "load_1m": os.getloadavg()[0],
                }
            )

    if "page" not in only:
        return 0
    load = os.getloadavg()[0]
    targets = run_step(url, "targets", "--pages", str(args.pages))
    times, queries, errors = measure_page(url, targets, rounds=3)
    p95 = percentile(times, 95)
    emit(
        {
            "name": "matchmaking.need_page",
            "n": n,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(p95, 1),
            "queries": queries,
            "requests": len(times),
            "errors": errors,
            "target_ms": PAGE_P95_MS,
            "ok": p95 < PAGE_P95_MS and errors == 0,
            "load_1m": load,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
