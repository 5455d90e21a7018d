#!/usr/bin/env python3
"""Follow-up benchmarks (issue 5), on PostgreSQL (DATABASE_URL) with real Redis and SMTP:

1. one Celery worker (with beat; a prefork pool of one process per core, as docker-compose
   runs it) sends N due messages to an aiosmtpd sink; the worker is killed with SIGKILL
   mid-run and restarted (--kills: more times); every message must arrive, none twice
   (target: under 60 s for 10,000);
2. a message falling due while the queue is idle is sent within 2 s;
3. the convening page with 200 invitees through gunicorn, p95 < 100 ms, and its SQL queries
   at 20 and 200 invitees (constant).

    .venv/bin/python bench/outbox.py [--messages 10000] [--kills 1]

Runs in its own database (<name>_followups, created and migrated here) and its own
throwaway redis-server. Prints one JSON object per line per measurement.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import run as base  # noqa: E402  (bench/run.py: gunicorn server, HTTP client, percentiles)

from tests.outbox.delivery import SmtpServer, ThrowawayRedis, Worker, wait_until  # noqa: E402


def emit(line: dict) -> None:
    print(json.dumps(line), flush=True)


class Db:
    def __init__(self, url: str):
        self.url = url


def bench_database(url: str) -> str:
    import psycopg

    head, _, name = url.rpartition("/")
    name = name.split("?")[0] + "_followups"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{head}/{name}"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    import django

    django.setup()


def make_messages(n: int, due_at) -> list[int]:
    from outbox.models import Kind, Message
    from outbox.services import render_email
    from partners.models import Person

    stamp = time.time_ns()
    people = Person.objects.bulk_create(
        Person(
            first_name=f"Member{i}", email=f"m{stamp}-{i}@bench.example", consent_to_contact=True
        )
        for i in range(n)
    )
    text, html = render_email(
        "outbox/email/plain", {"text": "The kiln is dry.", "site_url": "http://bench"}
    )
    rows = Message.objects.bulk_create(
        Message(
            person=p,
            to_address=p.email,
            kind=Kind.OTHER,
            subject="Kiln news",
            body_text=text,
            body_html=html,
            due_at=due_at,
            idempotency_key=f"bench:{stamp}:{p.pk}",
        )
        for p in people
    )
    return [m.pk for m in rows]


def throughput(n: int, db_url: str, redis: ThrowawayRedis, kills: int = 1) -> None:
    from outbox.models import Message, State

    with SmtpServer() as smtp:
        load = os.getloadavg()[0]  # other work on the machine moves this figure
        processes = os.cpu_count() or 1
        options = dict(
            database=db_url, redis=redis.url, smtp_port=smtp.port, lease=5, concurrency=processes
        )
        ids = make_messages(n, datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2))
        base.log(f"{n} messages due in 2 s; starting one worker ({processes} processes)")
        worker = Worker(**options).start()
        start = time.monotonic()
        # One kill at 30 %, or `kills` of them spread from 10 % to 90 %.
        kill_points = (
            [n * 3 // 10]
            if kills == 1
            else [n // 10 + n * 8 // 10 * i // (kills - 1) for i in range(kills)]
        )
        try:
            for kill_at in kill_points:
                if not wait_until(lambda at=kill_at: smtp.sink.count >= at, 120):
                    raise base.BenchError(f"only {smtp.sink.count} sent in 120 s")
                worker.kill()
                base.log(f"kill -9 after {smtp.sink.count} sent; restarting")
                worker = Worker(**options).start()
            # Every message arrived (a duplicate does not stand in for one still missing).
            wait_until(lambda: smtp.sink.distinct >= n, 300, step=0.1)
            seconds = time.monotonic() - start
            wait_until(lambda: smtp.sink.count > n, 5)  # anything sent twice shows up now
            # The last marks written before the worker is stopped (its stop signals the pool
            # processes too, which would drop a mark not yet written), and the killed worker's
            # claims settled by the scan after the lease: unconfirmed if it had handed the
            # message over, which is then not sent again.
            done = [State.SENT, State.UNCONFIRMED]
            wait_until(lambda: Message.objects.filter(pk__in=ids, state__in=done).count() >= n, 10)
        finally:
            worker.stop()
        sent = Message.objects.filter(pk__in=ids, state=State.SENT).count()
        unconfirmed = Message.objects.filter(pk__in=ids, state=State.UNCONFIRMED).count()
        emit(
            {
                "name": "followups_send_with_kill9",
                "n": n,
                "seconds": round(seconds, 2),
                "per_second": round(smtp.sink.count / seconds, 1),
                "delivered": smtp.sink.count,
                "distinct": len(set(smtp.sink.ids)),
                "duplicates": smtp.sink.duplicates(),
                "rows_sent": sent,
                "rows_unconfirmed": unconfirmed,
                "p50_ms": round(seconds * 1000 / max(n, 1), 3),
                "p95_ms": None,
                "queries": None,
                "target_ms": 60000,
                "ok": seconds < 60
                and smtp.sink.duplicates() == 0
                and len(set(smtp.sink.ids)) == n
                and sent + unconfirmed == n,
                "processes": processes,
                "kills": len(kill_points),
                "load_1m": round(load, 2),
            }
        )


def idle_latency(db_url: str, redis: ThrowawayRedis, samples: int = 8) -> None:
    from outbox.models import Message

    with SmtpServer() as smtp:
        worker = Worker(database=db_url, redis=redis.url, smtp_port=smtp.port).start()
        latencies = []
        try:
            time.sleep(5)  # worker and beat up, queue idle
            for i in range(samples):
                due = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1.5)
                [pk] = make_messages(1, due)
                before = smtp.sink.count
                if not wait_until(lambda b=before: smtp.sink.count > b, 20, step=0.01):
                    raise base.BenchError("an idle message was not sent in 20 s")
                arrived = datetime.datetime.now(datetime.UTC)
                latencies.append((arrived - Message.objects.get(pk=pk).due_at).total_seconds())
                time.sleep(0.3 + i * 0.1)  # land at different points of the scan
        finally:
            worker.stop()
    ms = sorted(x * 1000 for x in latencies)
    emit(
        {
            "name": "followups_idle_due_to_sent",
            "n": samples,
            "p50_ms": round(base.percentile(ms, 50), 1),
            "p95_ms": round(base.percentile(ms, 95), 1),
            "max_ms": round(ms[-1], 1),
            "queries": None,
            "target_ms": 2000,
            "ok": ms[-1] < 2000,
        }
    )


def convening_page(db_url: str, requests: int) -> None:
    from django.contrib.auth import get_user_model

    from convenings.models import Convening, Invitee
    from partners.models import Affiliation, Participation, Partner, Person, ValueChain
    from partners.services import make_coordinator

    User = get_user_model()
    chain = ValueChain.objects.create(name=f"Bench chain {time.time_ns()}")
    user = User.objects.filter(username=base.BENCH_USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            base.BENCH_USERNAME, base.BENCH_USERNAME, base.BENCH_PASSWORD
        )
        make_coordinator(user=user)
    chain.coordinators.add(user)
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=5)
    pages = {}
    for size in (20, 200):
        partners = Partner.objects.bulk_create(
            Partner(name=f"Bench partner {size}-{i}") for i in range(size // 4)
        )
        Participation.objects.bulk_create(
            Participation(partner=p, value_chain=chain, chain_role="producer") for p in partners
        )
        people = Person.objects.bulk_create(
            Person(
                first_name=f"Invitee{i}",
                last_name=f"S{size}",
                email=f"i{size}-{i}@b.example",
                consent_to_contact=True,  # (without it, invitations are suppressed, not sent)
            )
            for i in range(size)
        )
        Affiliation.objects.bulk_create(
            Affiliation(person=p, partner=partners[i % len(partners)]) for i, p in enumerate(people)
        )
        convening = Convening.objects.create(
            value_chain=chain,
            kind="workshop",
            title=f"Bench workshop {size}",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            place="Hall",
        )
        Invitee.objects.bulk_create(Invitee(convening=convening, person=p) for p in people)
        pages[size] = f"/convenings/{convening.pk}/"
    server = base.Server(Db(db_url), workers=2)
    server.start()
    try:
        client = base.Client(server.port)
        client.login()
        for size, path in pages.items():
            for _ in range(6):
                base.fetch(client, "warm", path)
            timings, queries = [], set()
            for _ in range(requests):
                ms, q = base.fetch(client, f"convening_{size}", path)
                timings.append(ms)
                queries.add(q)
            timings.sort()
            p95 = base.percentile(timings, 95)
            emit(
                {
                    "name": "convening_page",
                    "n": size,
                    "p50_ms": round(base.percentile(timings, 50), 2),
                    "p95_ms": round(p95, 2),
                    "queries": max(queries),
                    "target_ms": 100,
                    "ok": p95 < 100,
                }
            )
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--kills", type=int, default=1, help="kill -9 the worker this many times (default 1)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("bench/outbox.py needs DATABASE_URL (PostgreSQL)", file=sys.stderr)
        return 2
    db_url = bench_database(url)
    setup_django(db_url)
    with ThrowawayRedis() as redis:
        throughput(args.messages, db_url, redis, args.kills)
        idle_latency(db_url, redis)
    convening_page(db_url, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
