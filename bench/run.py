#!/usr/bin/env python3
"""vcc benchmarks: a synthetic network on PostgreSQL, measured through a real gunicorn server.

    make bench                                   # 100,000 partners
    make bench BENCH_ARGS="--partners 5000"      # a quick run
    .venv/bin/python bench/run.py --help

Prints one JSON object per line per measurement on stdout (and writes the same lines to
var/bench/results.jsonl); progress goes to stderr. Exits 0 when every page answered (targets
missed are lines with "ok": false), non-zero on errors. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = VAR / "results.jsonl"
# Lines are written here as they come, and the file becomes results.jsonl once the run is done
# (a failed run leaves the last complete results in place).
PARTIAL = VAR / "results.jsonl.partial"
PY = sys.executable
MANAGE = str(ROOT / "manage.py")
SERVICES = ROOT / ".ci" / "services.sh"

# Standalone benchmarks of later issues, run after the pages with DATABASE_URL set to the
# bench database (skipped with --only).
OTHER_BENCHES = ["matchmaking.py", "imports.py", "outbox.py", "capture.py"]

BENCH_USERNAME = "bench@vcc.local"
BENCH_PASSWORD = "bench-pass-2026"
# A coordinator of one chain (the largest), with the bench user's password: a search of their
# partners cannot take the whole network's shortcut (partners.search.partner_search_parts).
ONE_CHAIN_USERNAME = "bench-one-chain@vcc.local"
PAGE_SIZE = 50

# The targets (p95, milliseconds).
DIRECTORY_P95 = 50
PARTNER_PAGE_P95 = 40
SEARCH_P95 = 100
PAGE_1000_RATIO = 1.5
MAX_QUERIES = 10
GENERATE_SECONDS = 60

# Issue 3: activity on the network, and a chain of 2,000 partners for the network map.
INTERACTIONS = 1_000_000
INTRODUCTIONS = 100_000
RELATIONSHIPS = 100_000  # across the network
MAP_CHAIN_PARTNERS = 2_000
MAP_CHAIN_RELATIONSHIPS = 10_000
TIMELINE_P95 = 50
BOARD_P95 = 100
NETWORK_DATA_P95 = 200
GAPS_P95 = 200
TASKS = 20_000  # the coordinators' tasks, over the whole network
MY_DAY_P95 = 50

# Realistic searches over the generated vocabulary (devdata.generate): partial words, typos,
# several words, places, products, people (comments say what the less obvious ones find).
PARTNER_QUERIES = [
    "karkloof",  # a name place
    "umzimk",  # partial: Umzimkulu
    "drakensburg",  # typo: Drakensberg
    "tsitsikama",  # typo: Tsitsikamma
    "sundays river growers",  # several words of a name
    "hogsback orch",  # partial: Hogsback Orchards
    "blue ridge food hub",
    "willow creek",
    "pietermaritzb",  # partial town
    "stellenbosh",  # typo: Stellenbosch
    "kwazulu-natal",  # region
    "fresno county",
    "saligna",  # product word
    "butternut",  # partial: Butternut squash
    "merino wool",
    "chedar",  # typo: Cheddar
    "sawdust",
    "dlamini",  # a person at the partner
    "thandi khumalo",
    "naidu",  # typo: Naidoo
    "magaliesburg mill",  # typo of a name with a role word
    "co-op",
]
PEOPLE_QUERIES = [
    "thandi",
    "dlamni",  # typo: Dlamini
    "sipho ndlovu",
    "naidoo",
    "pretorus",  # typo: Pretorius
    "yamamoto",
    "coetze",  # partial: Coetzee
    "lerato mokoena",
    "gurpreet sandhu",
    "karkloof",  # the partner's name is in a person's search text
    "zanele",
    "bongani mkhize",
    "hernandes",  # typo: Hernandez
    "marietjie",
    "govender",
    "kenji",
    "steyn",
    "nomvula zulu",
    "fatim",  # partial: Fatima
    "umgeni",
]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    """A failure that makes the whole run invalid (non-zero exit)."""


# --- processes ---------------------------------------------------------------------------------


def run(cmd: list[str], *, env: dict | None = None, capture: bool = False, check: bool = True):
    """Run a command, its stderr (and stdout unless captured) going to our stderr."""
    result = subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else sys.stderr,
        stderr=sys.stderr,
        text=True,
    )
    if check and result.returncode != 0:
        raise BenchError(f"command failed ({result.returncode}): {' '.join(cmd)}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# --- PostgreSQL --------------------------------------------------------------------------------


def pg_connect(url: str, **kwargs):
    import psycopg

    return psycopg.connect(url, connect_timeout=10, **kwargs)


def with_dbname(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def dbname_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urllib.parse.urlunsplit(parts)


class LocalCluster:
    """A throwaway PostgreSQL cluster under /tmp, owned by the postgres OS user when we are root.

    The data directory is kept between runs (so a network generated once is measured again
    without regenerating it); the server is stopped at the end of every run. Memory and planner
    settings are PostgreSQL's defaults, as in the postgres image docker-compose.yml runs; only
    durability is off (fsync, synchronous_commit, full_page_writes), which reads do not feel."""

    def __init__(self, base: Path, port: int):
        self.base = base
        self.data = base / "data"
        self.logfile = base / "postgres.log"
        self.port = port
        self.started = False
        self.bin = self._find_bin()

    @staticmethod
    def _find_bin() -> Path:
        def version(path: str) -> float:
            try:
                return float(Path(path).parent.name)
            except ValueError:
                return 0.0

        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version)
        if candidates:
            return Path(candidates[-1])
        initdb = shutil.which("initdb")
        if initdb:
            return Path(initdb).parent
        raise BenchError(
            "no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin and PATH); "
            "install PostgreSQL or set DATABASE_URL"
        )

    def _as_postgres(self, cmd: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return cmd
        if shutil.which("runuser"):
            return ["runuser", "-u", "postgres", "--", *cmd]
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            log(f"initdb {self.data} ({self.bin})")
            run(
                self._as_postgres(
                    [
                        str(self.bin / "initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                    ]
                ),
                capture=True,
            )
        status = subprocess.run(
            self._as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]),
            capture_output=True,
        )
        if status.returncode == 0:
            log("the bench cluster was left running by an earlier run: restarting it")
            self.stop()
        if port_open("127.0.0.1", self.port):
            raise BenchError(f"port {self.port} is taken; pass --pg-port or set DATABASE_URL")
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.base}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        log(f"starting PostgreSQL on 127.0.0.1:{self.port}")
        run(
            self._as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.logfile),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            capture=True,
        )
        self.started = True

    def stop(self) -> None:
        subprocess.run(
            self._as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            ),
            capture_output=True,
        )
        self.started = False


# Run at the end of every run, last registered first (stops what this run started).
CLEANUPS: list = []


@dataclass
class Database:
    url: str  # the bench database
    owned: bool  # we may drop and recreate it
    how: str  # where it came from (for the log)
    admin_url: str = ""  # another database on the same server, to drop and create it from


def services_status() -> tuple[bool, bool]:
    """(PostgreSQL answers, Redis answers), from `.ci/services.sh status`. When the script
    cannot say, both count as up: the bench never stops what it did not start."""
    result = subprocess.run(
        ["bash", str(SERVICES), "status"], cwd=ROOT, capture_output=True, text=True
    )
    said = result.stderr + result.stdout
    if "PostgreSQL" not in said or "Redis" not in said:
        return True, True
    return "PostgreSQL answers" in said, "Redis answers" in said


def services_env() -> dict[str, str]:
    """Run .ci/services.sh (it starts PostgreSQL and Redis on loopback and prints
    `export DATABASE_URL=...` lines) and read the variables. When neither was running before,
    `.ci/services.sh stop` is registered to run at the end."""
    pg_was_up, redis_was_up = services_status()
    result = subprocess.run(
        ["bash", str(SERVICES)], cwd=ROOT, stdout=subprocess.PIPE, stderr=sys.stderr, text=True
    )
    if not pg_was_up and not redis_was_up:
        CLEANUPS.append(lambda: run(["bash", str(SERVICES), "stop"], check=False))
    elif not pg_was_up or not redis_was_up:
        log("note: part of the services was already up, so .ci/services.sh is not stopped after")
    if result.returncode != 0:
        raise BenchError(f".ci/services.sh failed ({result.returncode})")
    found = {}
    for line in result.stdout.splitlines():
        key, _, value = line.strip().removeprefix("export ").partition("=")
        if key in ("DATABASE_URL", "REDIS_URL") and value.strip():
            found[key] = value.strip().strip("'\"")
    return found


def bench_database_on(server_url: str, name: str, how: str) -> Database:
    """Create database `name` on the server of `server_url` if we may (and use it); otherwise use
    `server_url` as it is."""
    if dbname_of(server_url) == name:
        return Database(server_url, True, how, with_dbname(server_url, "postgres"))
    try:
        with pg_connect(server_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
                log(f"created database {name}")
    except Exception as error:  # no rights to create databases: use it as it is
        log(
            f"cannot create database {name} ({error.__class__.__name__}: {error}); "
            f"using {redact(server_url)} as it is"
        )
        return Database(server_url, owned=False, how=how)
    return Database(with_dbname(server_url, name), True, how, server_url)


def recreate_database(db: Database) -> None:
    name = dbname_of(db.url)
    log(f"dropping and recreating database {name}")
    with pg_connect(db.admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_database(args) -> Database:
    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            scheme = url.split(":", 1)[0]
            raise BenchError(f"the benchmarks need PostgreSQL; DATABASE_URL is a {scheme}: URL")
        return bench_database_on(url, args.db_name, "DATABASE_URL")
    if SERVICES.exists() and not args.own_cluster:
        log(f"starting services with {SERVICES.relative_to(ROOT)}")
        found = services_env()
        if not found.get("DATABASE_URL"):
            raise BenchError(".ci/services.sh did not give a DATABASE_URL")
        return bench_database_on(found["DATABASE_URL"], args.db_name, ".ci/services.sh")
    cluster = LocalCluster(Path(args.pg_dir), args.pg_port)
    db = Database(
        cluster.url(args.db_name),
        True,
        f"throwaway cluster {cluster.base}",
        cluster.url("postgres"),
    )
    CLEANUPS.append(cluster.stop)
    cluster.start()
    with pg_connect(cluster.url("postgres"), autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.db_name]
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{args.db_name}"')
    return db


# --- the network -------------------------------------------------------------------------------


def django_env(db: Database, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db.url,
        DEBUG="0",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VCC_QUERY_COUNT_HEADER="1",
        # The bench user is a coordinator signed in by a session: it measures pages, not the
        # second factor that production asks of coordinators.
        VCC_REQUIRE_2FA_FOR_STAFF="0",
        # Static files collected as production collects them (hashed names from a manifest),
        # kept with the bench's other files.
        STATIC_ROOT=str(VAR / "staticfiles"),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def network_state(db: Database) -> tuple[int, bool]:
    """(partners in the database, whether the bench user exists and coordinates chains)."""
    with pg_connect(db.url) as conn:
        partners = conn.execute("SELECT count(*) FROM partners_partner").fetchone()[0]
        user = conn.execute(
            "SELECT count(*) FROM auth_user u JOIN partners_valuechain_coordinators c "
            "ON c.user_id = u.id WHERE u.username = %s",
            [BENCH_USERNAME],
        ).fetchone()[0]
    return partners, user > 0


def summary_file(db: Database, partners: int) -> Path:
    key = hashlib.sha256(f"{redact(db.url)}|{partners}".encode()).hexdigest()[:12]
    return VAR / f"generate-{key}.json"


def generate(db: Database, partners: int) -> dict:
    log(f"generating {partners:,} partners (manage.py generate_network)")
    result = run(
        [PY, MANAGE, "generate_network", "--partners", str(partners), "-v", "2"],
        env=django_env(db),
        capture=True,
    )
    summary = None
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                summary = json.loads(line)
    if not isinstance(summary, dict) or "seconds" not in summary:
        raise BenchError(f"generate_network printed no JSON summary: {result.stdout[-500:]!r}")
    return summary


def prepare_network(db: Database, args) -> dict:
    """Migrate, and generate the network unless the database already holds it. Returns the
    generate_network line."""
    if args.regenerate and db.owned:
        recreate_database(db)
    log(f"migrating {redact(db.url)} ({db.how})")
    run([PY, MANAGE, "migrate", "--noinput", "-v", "0"], env=django_env(db))
    count, has_user = network_state(db)
    regenerate = args.regenerate
    if count in (args.partners, args.partners + MAP_CHAIN_PARTNERS) and has_user and not regenerate:
        log(f"the database already holds {count:,} partners: not regenerating (--regenerate)")
        saved = summary_file(db, args.partners)
        summary = json.loads(saved.read_text()) if saved.exists() else {}
        line = generate_line(args.partners, summary)
        line["reused"] = True
        return line
    if count and not (args.regenerate and db.owned):
        if db.owned:
            recreate_database(db)
            run([PY, MANAGE, "migrate", "--noinput", "-v", "0"], env=django_env(db))
        elif args.regenerate:
            log("flushing the database (manage.py flush)")
            run([PY, MANAGE, "flush", "--noinput"], env=django_env(db))
        else:
            raise BenchError(
                f"the database holds {count:,} partners, not {args.partners:,}, and is not ours "
                "to drop: pass --regenerate to flush it, or point DATABASE_URL at another server"
            )
    summary = generate(db, args.partners)
    log(f"generated: {json.dumps(summary)}")
    VAR.mkdir(parents=True, exist_ok=True)
    summary_file(db, args.partners).write_text(json.dumps(summary))
    # Settle the tables as autovacuum would on a live server (hint bits, visibility map,
    # statistics), so measurements do not race a background autovacuum or ANALYZE.
    log("VACUUM (ANALYZE)")
    with pg_connect(db.url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        # Write the load's dirty pages out now rather than during the measurements (superusers
        # only; elsewhere the server's own checkpoints do it).
        try:
            conn.execute("CHECKPOINT")
        except Exception as error:
            log(f"no CHECKPOINT ({error.__class__.__name__}); measuring anyway")
    # And have the kernel write them to disk before the clock starts.
    os.sync()
    return generate_line(args.partners, summary)


def generate_line(partners: int, summary: dict) -> dict:
    seconds = summary.get("seconds")
    line = {"name": "generate_network", "n": partners, "seconds": seconds}
    for key in ("people", "offers", "needs", "participations"):
        if key in summary:
            line[key] = summary[key]
    # The target is for 100,000 partners; larger networks get a proportional one.
    target = GENERATE_SECONDS * max(1.0, partners / 100_000)
    line["target_seconds"] = round(target, 1)
    line["ok"] = None if seconds is None else seconds < target
    return line


def activity_state(db: Database) -> dict:
    """What activity the database holds, and the map chain (the chain of exactly
    MAP_CHAIN_PARTNERS partners the bench adds), if there is one."""
    with pg_connect(db.url) as conn:

        def value(sql: str, params=()):
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None

        map_chain = value(
            "SELECT value_chain_id FROM partners_participation GROUP BY 1 "
            "HAVING count(*) = %s ORDER BY 1 DESC LIMIT 1",
            [MAP_CHAIN_PARTNERS],
        )
        return {
            "interactions": value("SELECT count(*) FROM partners_interaction"),
            "introductions": value("SELECT count(*) FROM matchmaking_introduction"),
            "tasks": value("SELECT count(*) FROM followups_task"),
            "relationships": value("SELECT count(*) FROM partners_relationship"),
            "map_chain": map_chain,
            "map_chain_relationships": value(
                "SELECT count(*) FROM partners_relationship r WHERE EXISTS (SELECT 1 FROM "
                "partners_participation p WHERE p.partner_id = r.source_id "
                "AND p.value_chain_id = %s)",
                [map_chain],
            )
            if map_chain
            else 0,
        }


def generate_activity(db: Database, *args: str) -> None:
    log(f"manage.py generate_activity {' '.join(args)}")
    run([PY, MANAGE, "generate_activity", *args], env=django_env(db), capture=True)


def prepare_activity(db: Database) -> dict:
    """Issue 3's data: a chain of 2,000 partners with 10,000 relationships (the network map),
    and 1,000,000 interactions, 100,000 introductions and 100,000 relationships over the
    whole network, and TASKS tasks for the coordinators. Only what is missing is added.
    Returns the state."""
    state = activity_state(db)
    changed = False
    if not state["map_chain"]:
        log(f"adding a chain of {MAP_CHAIN_PARTNERS:,} partners for the network map")
        run(
            [PY, MANAGE, "generate_network", "--partners", str(MAP_CHAIN_PARTNERS)]
            + ["--chains", "1"],
            env=django_env(db),
            capture=True,
        )
        changed = True
    if not state["interactions"]:
        generate_activity(
            db,
            *("--interactions", str(INTERACTIONS), "--introductions", str(INTRODUCTIONS)),
            *("--relationships", str(RELATIONSHIPS)),
        )
        changed = True
    if changed:
        state = activity_state(db)
    if not state["tasks"]:
        generate_activity(db, "--tasks", str(TASKS))
        changed = True
    missing = MAP_CHAIN_RELATIONSHIPS - state["map_chain_relationships"]
    if missing > 0:
        generate_activity(db, "--relationships", str(missing), "--chain", str(state["map_chain"]))
        changed = True
    if changed:
        log("VACUUM (ANALYZE)")
        with pg_connect(db.url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        state = activity_state(db)
    log(f"activity: {json.dumps(state)}")
    return state


# --- the server --------------------------------------------------------------------------------


class Server:
    def __init__(self, db: Database, workers: int):
        self.port = free_port()
        self.db = db
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.logfile = VAR / "gunicorn.log"

    def start(self) -> None:
        gunicorn = Path(PY).parent / "gunicorn"
        if not gunicorn.exists():
            gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        VAR.mkdir(parents=True, exist_ok=True)
        log(f"starting gunicorn ({self.workers} workers) on 127.0.0.1:{self.port}")
        self._log = open(self.logfile, "w")  # closed in stop()
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "vcc.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=django_env(self.db, CONN_MAX_AGE="600"),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.proc.returncode}); see {self.logfile}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/accounts/login/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer in 60s; see {self.logfile}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()


class Client:
    """One keep-alive HTTP connection (reopened when the server closes it) with a cookie jar."""

    def __init__(self, port: int, username: str = BENCH_USERNAME):
        self.port = port
        self.username = username
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response, data

    def login(self) -> None:
        response, _ = self.request("GET", "/accounts/login/")
        token = self.cookies.get("csrftoken")
        if response.status != 200 or not token:
            raise BenchError(f"GET /accounts/login/: {response.status}, no csrftoken cookie")
        body = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": BENCH_PASSWORD,
                "csrfmiddlewaretoken": token,
            }
        )
        response, data = self.request(
            "POST",
            "/accounts/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/accounts/login/",
            },
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise BenchError(
                f"signing in as {self.username} failed: {response.status} "
                f"{data[:300].decode(errors='replace')!r}"
            )
        log(f"signed in as {self.username}")


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    paths: list[str]  # rotated through
    n: int
    target_p95_ms: float | None = None
    extra: dict = field(default_factory=dict)
    max_queries: int = MAX_QUERIES  # the page's bound, as its tests assert it
    user: str = BENCH_USERNAME  # who is signed in


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    if not sorted_values:
        return math.nan
    k = (len(sorted_values) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def fetch(client: Client, name: str, path: str) -> tuple[float, int]:
    """GET `path`: (wall time in ms, X-Query-Count). Anything but a 200 is an error."""
    started = time.perf_counter()
    response, data = client.request("GET", path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise BenchError(
            f"{name}: GET {path} answered {response.status} "
            f"{response.getheader('Location') or data[:300].decode(errors='replace')!r}"
        )
    count = response.getheader("X-Query-Count")
    if count is None:
        raise BenchError(f"{name}: no X-Query-Count header (VCC_QUERY_COUNT_HEADER)")
    return elapsed, int(count)


def warm_server(client: Client, group: list[Scenario], workers: int) -> None:
    """Every gunicorn worker renders each page once before anything is timed (templates,
    URL resolvers and the like load lazily, per process)."""
    for s in group:
        for _ in range(2 * workers):
            fetch(client, s.name, s.paths[0])


def measure(client: Client, group: list[Scenario], requests: int, warmup: int) -> list[dict]:
    """Measure the scenarios of `group` interleaved (one request of each in turn), so that
    pages compared with each other see the same machine; one line per scenario."""
    timings: dict[str, list[float]] = {s.name: [] for s in group}
    queries: dict[str, list[int]] = {s.name: [] for s in group}
    by_path: dict[str, dict[str, list[float]]] = {s.name: {} for s in group}
    # Other work on the machine shows in the timings: record how busy it was.
    load_before = round(os.getloadavg()[0], 2)
    for i in range(warmup + requests):
        for s in group:
            path = s.paths[i % len(s.paths)]
            elapsed, count = fetch(client, s.name, path)
            if i >= warmup:
                timings[s.name].append(elapsed)
                queries[s.name].append(count)
                by_path[s.name].setdefault(path, []).append(elapsed)
    return [
        summarize(s, sorted(timings[s.name]), queries[s.name], by_path[s.name], load_before)
        for s in group
    ]


def summarize(s: Scenario, timings, queries, by_path, load_before) -> dict:
    line = {
        "name": s.name,
        "n": s.n,
        "requests": len(timings),
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(timings[-1], 2),
        "mean_ms": round(sum(timings) / len(timings), 2),
        "queries": max(queries),
        "queries_ok": max(queries) <= s.max_queries,
    }
    if s.target_p95_ms is not None:
        line["target_p95_ms"] = s.target_p95_ms
        line["ok"] = line["p95_ms"] < s.target_p95_ms
    line.update(s.extra)
    line["load_1m"] = load_before
    line["path"] = s.paths[0] if len(s.paths) == 1 else f"{s.paths[0]} (+{len(s.paths) - 1})"
    if len(by_path) > 1:
        # The page that is slowest at its median: where a missed target comes from.
        medians = {p: percentile(sorted(t), 50) for p, t in by_path.items()}
        slowest = max(medians, key=medians.get)
        line["slowest_path"] = slowest
        line["slowest_p50_ms"] = round(medians[slowest], 2)
    return line


def ensure_one_chain_user(conn, bench_user_id: int) -> dict:
    """The coordinator of the bench user's largest chain alone (ONE_CHAIN_USERNAME), made
    once, signing in with the bench user's password; its chain and partner count."""
    chain, partners = conn.execute(
        "SELECT p.value_chain_id, count(*) FROM partners_participation p "
        "JOIN partners_valuechain_coordinators c ON c.valuechain_id = p.value_chain_id "
        "AND c.user_id = %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        [bench_user_id],
    ).fetchone()
    conn.execute(
        "INSERT INTO auth_user (username, email, password, is_staff, is_superuser, is_active, "
        "first_name, last_name, date_joined) SELECT %s, %s, password, false, false, true, '', '', "
        "now() FROM auth_user WHERE id = %s ON CONFLICT (username) DO NOTHING",
        [ONE_CHAIN_USERNAME, ONE_CHAIN_USERNAME, bench_user_id],
    )
    user_id = conn.execute(
        "SELECT id FROM auth_user WHERE username = %s", [ONE_CHAIN_USERNAME]
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT %s, id FROM auth_group "
        "WHERE name = 'Coordinators' ON CONFLICT DO NOTHING",
        [user_id],
    )
    conn.execute(
        "DELETE FROM partners_valuechain_coordinators WHERE user_id = %s AND valuechain_id <> %s",
        [user_id, chain],
    )
    conn.execute(
        "INSERT INTO partners_valuechain_coordinators (user_id, valuechain_id) "
        "SELECT %s, %s WHERE NOT EXISTS (SELECT 1 FROM partners_valuechain_coordinators "
        "WHERE user_id = %s AND valuechain_id = %s)",
        [user_id, chain, user_id, chain],
    )
    conn.commit()
    return {"chain": chain, "partners": partners}


def scenarios(db: Database, seed: int, activity: dict | None) -> list[Scenario]:
    """The pages to measure, with ids and cursors read from the bench database."""
    sys.path.insert(0, str(ROOT))
    from vcc.paging import _encode

    rng = random.Random(seed)
    with pg_connect(db.url) as conn:

        def one(sql: str, params=()):
            return conn.execute(sql, params).fetchone()

        user_id = one("SELECT id FROM auth_user WHERE username = %s", [BENCH_USERNAME])[0]
        partners = one("SELECT count(*) FROM partners_partner")[0]
        people = one("SELECT count(*) FROM partners_person")[0]
        # The filtered directory: the bench user's chain with the most engaged producers.
        chain, role, status, matching = one(
            "SELECT p.value_chain_id, p.chain_role, p.status, count(*) "
            "FROM partners_participation p JOIN partners_valuechain_coordinators c "
            "ON c.valuechain_id = p.value_chain_id AND c.user_id = %s "
            "WHERE p.chain_role = 'producer' AND p.status = 'engaged' "
            "GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1 LIMIT 1",
            [user_id],
        ) or (None, None, None, 0)
        if chain is None:
            raise BenchError("no engaged producer in the bench user's chains")
        # Page 1,000 (or the last full page of a smaller network): the cursor of the row before.
        page = max(2, min(1000, partners // PAGE_SIZE))
        offset = (page - 1) * PAGE_SIZE - 1
        name, pk = one(
            "SELECT name, id FROM partners_partner ORDER BY name, id OFFSET %s LIMIT 1", [offset]
        )
        cursor = _encode([name, pk], "n")
        # Partner pages: random partners in the bench user's chains.
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT p.partner_id FROM partners_participation p "
                "JOIN partners_valuechain_coordinators c ON c.valuechain_id = p.value_chain_id "
                "WHERE c.user_id = %s ORDER BY 1",
                [user_id],
            )
        ]
        # The largest chain (the one most partners are in): its coordinator alone searches,
        # and with activity its gap page is measured too.
        one_chain = ensure_one_chain_user(conn, user_id)
        big_chain, big_partners = one_chain["chain"], one_chain["partners"]
    sample = rng.sample(ids, min(100, len(ids)))

    def q(params: dict) -> str:
        return urllib.parse.urlencode(params)

    return [
        Scenario("partner_directory", ["/partners/"], partners, DIRECTORY_P95),
        Scenario(
            "partner_directory_filtered",
            [f"/partners/?{q({'chain': chain, 'chain_role': role, 'status': status})}"],
            partners,
            DIRECTORY_P95,
            {"matching": matching},
        ),
        Scenario(
            "partner_directory_page_1000",
            [f"/partners/?{q({'cursor': cursor})}"],
            partners,
            DIRECTORY_P95,
            {"page": page},
        ),
        Scenario(
            "partner_search",
            [f"/partners/?{q({'q': text})}" for text in PARTNER_QUERIES],
            partners,
            SEARCH_P95,
            {"queries_rotated": len(PARTNER_QUERIES)},
        ),
        Scenario(
            "partner_search_by_name",
            [f"/partners/?{q({'q': text, 'sort': 'name'})}" for text in PARTNER_QUERIES],
            partners,
            SEARCH_P95,
            {"queries_rotated": len(PARTNER_QUERIES)},
        ),
        Scenario(
            "partner_page",
            [f"/partners/{pk}/" for pk in sample],
            partners,
            PARTNER_PAGE_P95,
            {"partners_rotated": len(sample)},
        ),
        Scenario(
            "partner_page_offers",
            [f"/partners/{pk}/?tab=offers" for pk in sample],
            partners,
            PARTNER_PAGE_P95,
            {"partners_rotated": len(sample)},
        ),
        Scenario(
            "partner_search_one_chain",
            [f"/partners/?{q({'q': text})}" for text in PARTNER_QUERIES],
            one_chain["partners"],
            SEARCH_P95,
            {"queries_rotated": len(PARTNER_QUERIES), "chain": one_chain["chain"]},
            user=ONE_CHAIN_USERNAME,
        ),
        Scenario("people_directory", ["/people/"], people, DIRECTORY_P95),
        Scenario(
            "people_search",
            [f"/people/?{q({'q': text})}" for text in PEOPLE_QUERIES],
            people,
            SEARCH_P95,
            {"queries_rotated": len(PEOPLE_QUERIES)},
        ),
    ] + (
        activity_scenarios(activity, sample, partners, big_chain, big_partners) if activity else []
    )


def activity_scenarios(activity: dict, sample: list[int], partners: int, big_chain, big_partners):
    """Issue 3's pages: timelines, the introduction board, the map's data, the gap pages; and
    issue 18's My day."""
    map_chain = activity["map_chain"]
    return [
        Scenario(
            "my_day",
            ["/"],
            partners,
            MY_DAY_P95,
            {"tasks": activity["tasks"], "introductions": activity["introductions"]},
        ),
        Scenario(
            "partner_timeline",
            [f"/partners/{pk}/?tab=timeline" for pk in sample],
            activity["interactions"],
            TIMELINE_P95,
            {"partners_rotated": len(sample)},
        ),
        Scenario(
            "introduction_board",
            ["/introductions/"],
            activity["introductions"],
            BOARD_P95,
        ),
        Scenario(
            "network_data_map_chain",
            [f"/chains/{map_chain}/network.json"],
            activity["map_chain_relationships"],
            NETWORK_DATA_P95,
            {"partners": MAP_CHAIN_PARTNERS},
        ),
        Scenario(
            "chain_gaps_map_chain",
            [f"/chains/{map_chain}/gaps/"],
            MAP_CHAIN_PARTNERS,
            GAPS_P95,
        ),
        Scenario(
            "chain_gaps_largest_chain",
            [f"/chains/{big_chain}/gaps/"],
            big_partners,
            GAPS_P95,
            {"interactions": activity["interactions"]},
        ),
    ]


# --- main --------------------------------------------------------------------------------------


def emit(line: dict, out) -> None:
    text = json.dumps(line)
    print(text, flush=True)
    out.write(text + "\n")
    out.flush()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=100_000, help="network size (100000)")
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the network even if it is there"
    )
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page")
    parser.add_argument(
        "--no-activity",
        action="store_true",
        help="skip issue 3's data and pages (interactions, introductions, map, gaps)",
    )
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--only", default="", help="comma-separated measurement names")
    parser.add_argument("--seed", type=int, default=2026, help="which partners are visited")
    parser.add_argument("--db-name", default="vcc_bench", help="the bench database (vcc_bench)")
    parser.add_argument("--pg-dir", default="/tmp/vcc-bench-pg", help="throwaway cluster dir")
    parser.add_argument(
        "--pg-port",
        type=int,
        default=25433,
        help="throwaway cluster port (below the ephemeral range)",
    )
    parser.add_argument(
        "--own-cluster",
        action="store_true",
        help="start the throwaway cluster even if .ci/services.sh exists",
    )
    args = parser.parse_args(argv)
    if args.partners < 100 or args.requests < 1 or args.warmup < 0:
        parser.error("--partners must be at least 100 and --requests at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    VAR.mkdir(parents=True, exist_ok=True)
    server: Server | None = None
    try:
        with open(PARTIAL, "w") as out:
            db = setup_database(args)
            emit(prepare_network(db, args), out)
            activity = None if args.no_activity else prepare_activity(db)
            log("collectstatic (as production runs it before gunicorn)")
            run([PY, MANAGE, "collectstatic", "--noinput", "-v", "0"], env=django_env(db))
            server = Server(db, args.workers)
            server.start()
            wanted = {name for name in args.only.split(",") if name}
            results = {}
            todo = [s for s in scenarios(db, args.seed, activity) if not wanted or s.name in wanted]
            clients = {}
            for username in dict.fromkeys([BENCH_USERNAME] + [s.user for s in todo]):
                clients[username] = Client(server.port, username)
                clients[username].login()
            log("warming up every worker on every page")
            for s in todo:
                warm_server(clients[s.user], [s], args.workers)
            # Page 1 and page 1,000 are compared: they are measured together, interleaved.
            together = {"partner_directory", "partner_directory_page_1000"}
            groups = [[s for s in todo if s.name in together]]
            groups += [[s] for s in todo if s.name not in together]
            for group in (g for g in groups if g):
                names = " + ".join(s.name for s in group)
                log(f"measuring {names} ({args.warmup} + {args.requests} requests each)")
                for line in measure(clients[group[0].user], group, args.requests, args.warmup):
                    results[line["name"]] = line
                    emit(line, out)
            first, deep = (
                results.get("partner_directory"),
                results.get("partner_directory_page_1000"),
            )
            if first and deep:
                ratio = deep["p95_ms"] / first["p95_ms"]
                emit(
                    {
                        "name": "page_1000_vs_page_1",
                        "n": deep["n"],
                        "page": deep["page"],
                        "ratio": round(ratio, 3),
                        "target_ratio": PAGE_1000_RATIO,
                        "ok": ratio <= PAGE_1000_RATIO,
                    },
                    out,
                )
            server.stop()
            for script in [] if args.only else OTHER_BENCHES:
                # The other issues' benchmarks, on the same PostgreSQL server (each makes what
                # it needs there); their JSON lines join these.
                log(f"bench/{script}")
                result = run([PY, str(ROOT / "bench" / script)], env=django_env(db), capture=True)
                for line in result.stdout.splitlines():
                    if line.startswith("{"):
                        emit(json.loads(line), out)
        os.replace(PARTIAL, RESULTS)
        log(f"results written to {RESULTS.relative_to(ROOT)}")
        return 0
    except BenchError as error:
        log(f"ERROR: {error} (lines so far: {PARTIAL.relative_to(ROOT)})")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Exception:  # report and fail
        traceback.print_exc()
        return 1
    finally:
        if server:
            server.stop()
        for cleanup in reversed(CLEANUPS):
            with contextlib.suppress(Exception):
                cleanup()


if __name__ == "__main__":
    sys.exit(main())
