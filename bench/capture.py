#!/usr/bin/env python3
"""Email capture benchmark (issue 18), on PostgreSQL (DATABASE_URL) with a real IMAP server:

1. `capture_1000`: 1,000 messages delivered (IMAP APPEND) into a fresh mailbox of the test
   Dovecot, from a coordinator to people of 50 partners (a tenth with an attachment, a tenth to
   an unknown address), captured by one `manage.py capture_mail` run; `messages_per_s` is its
   own timing of the poll (target: at least 50 a second);
2. `capture_kill9`: another 1,000 messages, the poller killed with SIGKILL at about 30 % and run
   again; `duplicates` (interactions or messages captured twice) must be 0, `lost` 0.

    .venv/bin/python bench/capture.py [--messages 1000]

The IMAP server is VCC_TEST_IMAP_URL, else the one `.ci/services.sh` starts. Runs in its own
database (<name>_capture, created and migrated here). One JSON object per line.
"""

from __future__ import annotations

import argparse
import imaplib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

TARGET_PER_S = 50
PARTNERS = 50


def emit(line: dict) -> None:
    print(json.dumps(line), flush=True)


def log(text: str) -> None:
    print(f"[bench capture] {text}", file=sys.stderr, flush=True)


def bench_database(url: str) -> str:
    import psycopg

    head, _, name = url.rpartition("/")
    name = name.split("?")[0] + "_capture"
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


def imap_url() -> str:
    url = os.environ.get("VCC_TEST_IMAP_URL", "")
    if url:
        return url
    out = subprocess.run(
        ["bash", str(ROOT / ".ci" / "services.sh")], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        if line.startswith("export VCC_TEST_IMAP_URL="):
            return line.split("=", 1)[1]
    raise SystemExit("no test IMAP server (VCC_TEST_IMAP_URL)")


def the_network() -> list[str]:
    """A chain with its coordinator and 50 partners, two people each; their addresses."""
    from django.contrib.auth import get_user_model

    from partners.models import Affiliation, Participation, Partner, Person, ValueChain

    chain = ValueChain.objects.create(name="Bench hardwood")
    user = get_user_model().objects.create_user(
        "coordinator@bench.example", "coordinator@bench.example"
    )  # a coordinator: the chain names them
    chain.coordinators.add(user)
    partners = Partner.objects.bulk_create(Partner(name=f"Sawmill {i}") for i in range(PARTNERS))
    Participation.objects.bulk_create(Participation(partner=p, value_chain=chain) for p in partners)
    people = Person.objects.bulk_create(
        Person(first_name=f"Member {i}", email=f"member{i}@bench.example")
        for i in range(PARTNERS * 2)
    )
    Affiliation.objects.bulk_create(
        Affiliation(person=person, partner=partners[i // 2]) for i, person in enumerate(people)
    )
    return [p.email for p in people]


PDF = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"


def message(run: str, n: int, addresses: list[str]) -> bytes:
    import base64

    to = addresses[n % len(addresses)]
    cc = "stranger@elsewhere.example" if n % 10 == 3 else addresses[(n * 7 + 1) % len(addresses)]
    head = (
        f"Message-ID: <{run}-{n}@bench.example>\r\n"
        "Date: Tue, 01 Dec 2026 09:30:00 +0200\r\n"
        "From: Bench Coordinator <coordinator@bench.example>\r\n"
        f"To: {to}\r\nCc: {cc}\r\nSubject: Kiln report {n}\r\nMIME-Version: 1.0\r\n"
    )
    text = f"Kiln report number {n}: moisture at 12 %, the trial order ships on Friday.\r\n" * 5
    if n % 10 != 5:
        return (head + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + text).encode()
    pdf = base64.encodebytes(PDF).decode().replace("\n", "\r\n")
    return (
        head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + text + "--b\r\n"
        'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="r.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + pdf + "--b--\r\n"
    ).encode()


def fresh_folder(base: str, messages: list[bytes]) -> str:
    from capture.mailbox import Mailbox, parse_url

    config = parse_url(base)
    folder = f"bench-{uuid.uuid4().hex[:10]}"
    conn = imaplib.IMAP4(config.host, config.port, timeout=60)
    conn.login(config.user, config.password)
    conn.create(folder)
    conn.logout()
    url = urlunsplit(urlsplit(base)._replace(path=f"/{folder}"))
    with Mailbox(parse_url(url)) as mailbox:
        for raw in messages:
            mailbox.append(raw)
    return url


def drop_folder(url: str) -> None:
    from capture.mailbox import parse_url

    config = parse_url(url)
    conn = imaplib.IMAP4(config.host, config.port, timeout=60)
    conn.login(config.user, config.password)
    conn.delete(config.folder)
    conn.logout()


def poller(url: str, db_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "VCC_CAPTURE_IMAP_URL": url}
    return subprocess.Popen(
        [sys.executable, "manage.py", "capture_mail"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def counts(run: str) -> tuple[int, int, int]:
    """(messages captured, distinct ones, interactions) of one run's messages."""
    from capture.models import CapturedMessage

    rows = CapturedMessage.objects.filter(message_id__startswith=f"<{run}-")
    from partners.models import Interaction

    interactions = Interaction.objects.filter(captured_message__in=rows)
    return (
        rows.count(),
        rows.values("message_id").distinct().count(),
        interactions.count() - interactions.values("topic").distinct().count(),
    )


def throughput(n: int, base: str, db_url: str, addresses: list[str]) -> None:
    run = uuid.uuid4().hex[:8]
    log(f"APPEND {n} messages")
    url = fresh_folder(base, [message(run, i, addresses) for i in range(n)])
    try:
        load = os.getloadavg()[0]
        process = poller(url, db_url)
        out, err = process.communicate(timeout=600)
        if process.returncode != 0:
            raise SystemExit(err)
        result = json.loads(out.strip().splitlines()[-1])
        captured, distinct, doubled = counts(run)
        per_s = result["captured"] / result["seconds"] if result["seconds"] else 0
        emit(
            {
                "name": "capture_1000",
                "n": n,
                "seconds": round(result["seconds"], 2),
                "messages_per_s": round(per_s, 1),
                "captured": captured,
                "duplicates": (captured - distinct) + doubled,
                "target_messages_per_s": TARGET_PER_S,
                "ok": per_s >= TARGET_PER_S and captured == n,
                "load_1m": round(load, 2),
            }
        )
    finally:
        drop_folder(url)


def kill9(n: int, base: str, db_url: str, addresses: list[str]) -> None:
    run = uuid.uuid4().hex[:8]
    log(f"APPEND {n} messages; kill -9 the poller at 30 %")
    url = fresh_folder(base, [message(run, i, addresses) for i in range(n)])
    try:
        first = poller(url, db_url)
        deadline = time.monotonic() + 300
        while counts(run)[0] < n * 3 // 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        at_kill = counts(run)[0]
        log(f"killed after {at_kill} captured; running again")
        second = poller(url, db_url)
        out, err = second.communicate(timeout=600)
        if second.returncode != 0:
            raise SystemExit(err)
        result = json.loads(out.strip().splitlines()[-1])
        captured, distinct, doubled = counts(run)
        duplicates = (captured - distinct) + doubled
        emit(
            {
                "name": "capture_kill9",
                "n": n,
                "captured_before_kill": at_kill,
                "read_again_after_kill": result["duplicates"],
                "captured": captured,
                "duplicates": duplicates,
                "lost": n - distinct,
                "ok": duplicates == 0 and distinct == n,
            }
        )
    finally:
        drop_folder(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("bench/capture.py needs DATABASE_URL (PostgreSQL)", file=sys.stderr)
        return 2
    base = imap_url()
    db_url = bench_database(url)
    setup_django(db_url)
    addresses = the_network()
    throughput(args.messages, base, db_url, addresses)
    kill9(args.messages, base, db_url, addresses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
