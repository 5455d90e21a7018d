"""Backups of the whole database, and their restore (`manage.py backup` / `restore`, `make
backup` / `make restore FILE=...`).

PostgreSQL: `pg_dump -Fc` (one compressed file, every table, index, sequence and extension)
and `pg_restore --clean --single-transaction` (all or nothing). The tools are PostgreSQL's
client programs: the newest of /usr/lib/postgresql/*/bin (Debian's layout), else the PATH;
pg_dump must be at least the server's version. SQLite: the online backup API, page by page,
safe while vcc runs.

Backups are written to var/backups/ (VCC_VAR_DIR) as vcc-YYYYMMDD-HHMMSS.dump (PostgreSQL) or
.sqlite3 (SQLite), in UTC.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """What went wrong, in words an operator can act on."""


def backups_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def new_backup_path(folder: Path | None = None) -> Path:
    folder = folder or backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    path = folder / f"vcc-{stamp}{suffix}"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"vcc-{stamp}-{n}{suffix}"
    return path


def pg_program(name: str) -> str:
    """The newest installed PostgreSQL client program `name`."""
    versions = []
    for bin_dir in Path("/usr/lib/postgresql").glob("*/bin"):
        if (bin_dir / name).exists() and re.fullmatch(r"\d+", bin_dir.parent.name):
            versions.append((int(bin_dir.parent.name), str(bin_dir / name)))
    if versions:
        return max(versions)[1]
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs")
    return found


def pg_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools, from Django's own (the password by
    environment, not on the command line)."""
    db = connection.settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(path: Path | None = None) -> Path:
    """Write a backup of the whole database; its path."""
    path = path or new_backup_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        args, env = pg_arguments()
        partial = path.with_name(path.name + ".partial")
        try:
            run(
                [pg_program("pg_dump"), "--format=custom", *args, "--file", str(partial)]
                + ["--dbname", connection.settings_dict["NAME"]],
                env,
            )
            partial.replace(path)  # a backup that is there is whole
        finally:
            partial.unlink(missing_ok=True)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"no backup for the {connection.vendor} database")
    return path


def kind_of(path: Path) -> str:
    with path.open("rb") as file:
        head = file.read(16)
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return "unknown"


def restore(path: Path) -> None:
    """Replace the database's contents with the backup's. All or nothing on PostgreSQL;
    SQLite's backup API copies the pages over the live database."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    kind = kind_of(path)
    if kind != connection.vendor:
        raise BackupError(f"{path.name} is a {kind} backup; this database is {connection.vendor}")
    if connection.vendor == "postgresql":
        args, env = pg_arguments()
        connection.close()  # hold no lock the restore waits for
        run(
            [pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl"]
            + ["--single-transaction", "--exit-on-error", *args]
            + ["--dbname", connection.settings_dict["NAME"], str(path)],
            env,
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
