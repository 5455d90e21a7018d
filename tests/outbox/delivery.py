"""Real parts for delivery tests and the bench: an SMTP sink on loopback (aiosmtpd), a
throwaway redis-server on its own port, and a Celery worker (with beat) as a subprocess."""

from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Keeps the Message-ID of every message it received whole (its final "." arrived), as
    an MTA takes responsibility for a message then, whether or not the client stays to read
    the reply.

    `delay` makes each reply to DATA slow, so a worker can be killed while it waits for it.
    `reply`, if set, is called with each message and may return another reply than
    "250 OK" (the message is then not kept), or "drop" to close the connection without one
    (the message is kept: the server had it)."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.ids: list[str] = []
        self.lock = threading.Lock()
        self.reply = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        reply = self.reply(message) if self.reply else None
        if reply is None or reply == "drop":
            with self.lock:
                self.ids.append(message["Message-ID"])
        if self.delay:  # the server has the message; its reply is slow
            import asyncio

            await asyncio.sleep(self.delay)
        if reply == "drop":
            server.transport.close()
            return "250 OK"  # never reaches the client
        return reply or "250 OK"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.ids)

    @property
    def distinct(self) -> int:
        with self.lock:
            return len(set(self.ids))

    def duplicates(self) -> int:
        with self.lock:
            return len(self.ids) - len(set(self.ids))


class SmtpServer:
    def __init__(self, delay: float = 0.0):
        self.sink = Sink(delay)
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class ThrowawayRedis:
    """A redis-server of our own on a free port; stop() and start() only touch this one."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class Worker:
    """`celery -A vcc worker -B` in a subprocess; kill() is kill -9 of it and its children.

    One process (solo pool) by default; with `concurrency` > 1, a prefork pool of that many
    processes, as `celery worker` runs by default (one per core) in docker-compose.yml."""

    def __init__(
        self, *, database: str, redis: str, smtp_port: int, lease: int = 3, concurrency: int = 1
    ):
        self.pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork"]
        self.pool.append(f"--concurrency={concurrency}")
        self.env = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": redis,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "VCC_OUTBOX_SCAN_SECONDS": "1",
            "VCC_OUTBOX_LEASE_SECONDS": str(lease),
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        self.dir = tempfile.mkdtemp(prefix="vcc-worker-")
        self.process: subprocess.Popen | None = None

    def start(self):
        celery = str(Path(sys.executable).with_name("celery"))
        self.log = open(os.path.join(self.dir, "worker.log"), "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                celery,
                "-A",
                "vcc",
                "worker",
                "-B",
                *self.pool,
                "--loglevel=warning",
                "--without-mingle",
                "--without-gossip",
                f"--schedule={self.dir}/beat-schedule",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker and its beat child
        )
        return self

    def kill(self):
        """kill -9 of the worker and its embedded beat: no shutdown, no acknowledgement."""
        if self.process:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # whatever of the group is left
        self.log.close()


def wait_until(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
