"""Every environment variable the code reads is in the README's configuration table, and the
table names nothing the code does not read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["vcc", "partners", "outbox", "accounts", "matchmaking", "convenings", "imports", "outcomes",
        "followups", "devdata"]  # fmt: skip
READ = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|os\.environ\[|env_bool)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> set[str]:
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            names |= set(READ.findall(path.read_text()))
    return names


def variables_documented() -> set[str]:
    text = (ROOT / "README.md").read_text()
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_the_pattern_finds_what_settings_read():
    assert {"DATABASE_URL", "DEBUG", "VCC_VAR_DIR"} <= variables_read()


def test_every_variable_read_is_documented():
    missing = variables_read() - variables_documented()
    assert not missing, f"add {sorted(missing)} to the README's configuration table"


def test_every_variable_documented_is_read():
    stale = variables_documented() - variables_read()
    assert not stale, f"the README documents {sorted(stale)}, which no code reads"
