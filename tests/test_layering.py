"""The apps are layered one way: each imports only the apps below it (the README's
architecture table). Every import statement of every module counts, at module level or inside
a function; an upward need goes through vcc.hooks instead."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Bottom to top. Apps on one line stand side by side: neither imports the other.
LAYERS = [
    ["vcc"],
    ["partners"],
    ["outbox"],
    ["accounts"],
    ["matchmaking"],
    ["convenings"],
    ["imports", "outcomes", "capture"],
    ["intake"],  # above imports: it reuses imports' duplicate keys (norm_name, website_key)
    ["followups"],
    ["privacy"],
    ["devdata"],
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
# The root URLconf composes every app's URLs: the one module that looks upwards.
COMPOSITION = {"vcc/urls.py"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(root: Path = ROOT) -> list[str]:
    """Each import that runs from an app to one above it, or beside it."""
    wrong = []
    for app in LEVEL:
        for path in sorted((root / app).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            if where in COMPOSITION:
                continue
            for line, module in imports_of(path):
                target = module.split(".")[0]
                if target in LEVEL and target != app and LEVEL[target] >= LEVEL[app]:
                    side = "beside" if LEVEL[target] == LEVEL[app] else "above"
                    wrong.append(f"{where}:{line} imports {module} ({target} is {side} {app})")
    return wrong


def test_every_app_is_in_a_layer():
    from django.conf import settings

    local = {name for name in settings.INSTALLED_APPS if (ROOT / name / "apps.py").exists()}
    assert local <= set(LEVEL), f"put {sorted(local - set(LEVEL))} in LAYERS"


def test_no_app_imports_one_above_or_beside_it():
    assert violations() == []


@pytest.mark.parametrize(
    "source",
    [
        "from matchmaking.models import Introduction\n",
        "def f():\n    from convenings import selectors\n",
        "import outcomes.dashboard\n",
    ],
)
def test_an_upward_import_is_caught(tmp_path, source):
    """The check itself: an import of a higher app, at module level or inside a function."""
    (tmp_path / "partners").mkdir()
    (tmp_path / "partners" / "views.py").write_text(source)
    assert len(violations(tmp_path)) == 1
