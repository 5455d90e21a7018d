"""The production-shaped stack (docker-compose.yml and its Dockerfile) and the CI scripts.

Every command the stack runs names something real (a WSGI application, the Celery app, a beat
scheduler, a management command), with options their own parsers accept; the app services share
one environment that points at the stack's PostgreSQL and Redis; and every package the code
imports is locked. No database needed.
"""

import ast
import importlib
import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from celery.beat import Scheduler
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import get_commands, load_command_class
from gunicorn.config import Config as GunicornConfig
from gunicorn.util import import_app
from kombu.utils.imports import symbol_by_name

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def interpolate(value: str) -> str:
    """Compose's interpolation, for reading: `${X:-default}` gives the default, and a variable
    that must be given (`${X}`, `${X:?message}`) gives `given`."""

    def replace(match: re.Match) -> str:
        return match.group(3) if match.group(2) == "-" else "given"

    return re.sub(r"\$\{(\w+)(?::?([-?])([^}]*))?\}", replace, value)


def steps(service: str) -> list[list[str]]:
    """A service's command as the argument lists it runs (`sh -c "a && b"` is two)."""
    command = SERVICES[service]["command"]
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        parts = [shlex.split(part) for part in argv[2].split("&&")]
    else:
        parts = [argv]
    return [part[1:] if part[0] == "exec" else part for part in parts]


def all_steps(program: str) -> list:
    return [
        pytest.param(step, id=f"{service}:{' '.join(step[:3])}")
        for service in APP_SERVICES
        for step in steps(service)
        if step[0] == program
    ]


def installed(program: str) -> bool:
    """A console script of the locked environment (the image installs the same lock)."""
    return bool(
        shutil.which(program, path=str(Path(sys.executable).parent)) or shutil.which(program)
    )


def test_stack_has_its_five_services():
    assert set(SERVICES) == {"web", "worker", "beat", "postgres", "redis"}
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    assert "/var/lib/postgresql/data" in " ".join(SERVICES["postgres"]["volumes"])
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == ".", name


def test_app_services_share_one_environment():
    web_env = SERVICES["web"]["environment"]
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"] == web_env, f"{name} differs from web"


def test_database_url_points_at_the_postgres_service():
    database = urlsplit(interpolate(SERVICES["web"]["environment"]["DATABASE_URL"]))
    postgres_env = SERVICES["postgres"]["environment"]
    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "postgres" and database.port in (None, 5432)
    assert database.username == postgres_env["POSTGRES_USER"]
    assert database.path == "/" + postgres_env["POSTGRES_DB"]
    # The same password, from the same variable, that the postgres service is given.
    raw_url = SERVICES["web"]["environment"]["DATABASE_URL"]
    assert postgres_env["POSTGRES_PASSWORD"] in raw_url


def test_redis_url_points_at_the_redis_service():
    broker = urlsplit(interpolate(SERVICES["web"]["environment"]["REDIS_URL"]))
    assert broker.scheme == "redis"
    assert broker.hostname == "redis" and broker.port in (None, 6379)


def test_secrets_must_be_given():
    env = SERVICES["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )


def test_environment_names_are_read_by_settings():
    source = (ROOT / "vcc" / "settings.py").read_text()
    read = set(re.findall(r"""(?:environ(?:\.get)?|env_bool)\(\s*["'](\w+)["']""", source))
    read |= set(re.findall(r"""environ\[["'](\w+)["']\]""", source))
    unknown = set(SERVICES["web"]["environment"]) - read
    assert not unknown, f"settings.py reads no {sorted(unknown)}"
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"} <= read


def test_services_start_after_what_they_need():
    for name in ("postgres", "redis", "web"):
        assert SERVICES[name]["healthcheck"]["test"], name
    for name in APP_SERVICES:
        needs = SERVICES[name]["depends_on"]
        assert needs["postgres"]["condition"] == "service_healthy", name
        assert needs["redis"]["condition"] == "service_healthy", name
    # Beat's DatabaseScheduler needs its tables: the worker and beat wait for web's migrate.
    for name in ("worker", "beat"):
        assert SERVICES[name]["depends_on"]["web"]["condition"] == "service_healthy", name


def test_web_migrates_collects_static_then_serves():
    assert [step[:3] for step in steps("web")] == [
        ["python", "manage.py", "migrate"],
        ["python", "manage.py", "collectstatic"],
        ["gunicorn", "vcc.wsgi:application", "--bind"],
    ]


@pytest.mark.parametrize("step", all_steps("python"))
def test_manage_py_commands_exist(step):
    assert step[1] == "manage.py" and (ROOT / "manage.py").is_file()
    name, options = step[2], step[3:]
    commands = get_commands()
    assert name in commands, f"no management command {name!r}"
    command = load_command_class(commands[name], name)
    command.create_parser("manage.py", name).parse_args(options)  # raises on a bad option


@pytest.mark.parametrize("step", all_steps("gunicorn"))
def test_gunicorn_serves_a_real_wsgi_application(step):
    assert installed("gunicorn")
    args = GunicornConfig().parser().parse_args(step[1:])
    assert len(args.args) == 1, args.args
    assert args.bind == ["0.0.0.0:8000"]
    assert any(str(port).endswith(":8000") for port in SERVICES["web"]["ports"])
    application = import_app(args.args[0])  # as gunicorn loads it: module:attribute
    assert isinstance(application, WSGIHandler)
    inspect.signature(application).bind({}, lambda status, headers: None)
    assert args.args[0] == settings.WSGI_APPLICATION.replace(".application", ":application")


@pytest.mark.parametrize("step", all_steps("gunicorn"))
def test_gunicorn_reads_vcc_settings_for_its_logs(step):
    args = GunicornConfig().parser().parse_args(step[1:])
    assert args.config == "python:vcc.gunicorn_conf"
    importlib.import_module(args.config.removeprefix("python:"))


def test_image_runs_the_web_server_by_default():
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)
    assert cmd, "the Dockerfile has no CMD in exec form"
    assert json.loads(cmd.group(1)) == steps("web")[-1]


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_commands_name_the_app_and_a_real_subcommand(service):
    [step] = steps(service)
    assert step[0] == "celery" and installed("celery")
    assert step[1] in ("-A", "--app"), "celery -A <app> <command> ..."
    app = find_app(step[2])  # as `celery -A` finds it
    assert isinstance(app, Celery)
    assert app is importlib.import_module("vcc.celery").app
    subcommand, options = step[3], step[4:]
    assert subcommand == service
    context = celery_cli.commands[subcommand].make_context(
        subcommand, options, obj=CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    )  # raises on an unknown option
    if service == "beat":
        scheduler = symbol_by_name(context.params["scheduler"])
        assert inspect.isclass(scheduler) and issubclass(scheduler, Scheduler)
        assert context.params["scheduler"] == settings.CELERY_BEAT_SCHEDULER


def dockerfile_copies() -> tuple[set[str], str]:
    """The paths the final stage copies from the build context, and that stage's text."""
    final = DOCKERFILE.split("\nFROM ")[-1]
    sources = set()
    for line in final.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            sources |= {w.rstrip("/") for w in words[1:-1] if not w.startswith("--")}
    return sources, final


def test_dockerfile_installs_the_lock_and_runs_unprivileged():
    sources, final = dockerfile_copies()
    assert final.startswith("python:3.11-slim")
    # The project's own dependencies, at the locked versions: not the whole lock (its dev
    # extras: pytest, ruff, Playwright...).
    assert {"pyproject.toml", "requirements.lock"} <= sources
    assert "['project']['dependencies']" in final
    assert "pip install -r requirements.txt -c requirements.lock" in final
    assert "pip install -r requirements.lock" not in final
    users = re.findall(r"^USER\s+(\S+)", final, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    # Nothing runs as root after the switch, and the app's user owns only what it writes.
    after_user = final.split(f"USER {users[-1]}", 1)[1]
    assert not re.search(r"^RUN ", after_user, re.MULTILINE)


def dockerfile_commands(text: str) -> list[str]:
    """The stage's instructions, continuation lines joined."""
    lines = text.replace("\\\n", " ").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


DEV_TOOLS = {"build-essential", "gcc", "g++", "make", "git", "curl", "wget", "libpq-dev"}


def test_image_carries_no_development_tools():
    _, final = dockerfile_copies()
    for command in dockerfile_commands(final):
        if "apt-get install" in command:
            packages = set(
                re.findall(r"(?<![-\w])([a-z0-9][a-z0-9.+-]+)", command.split("install", 1)[1])
            )
            assert not packages & DEV_TOOLS, command
            assert not any(p.endswith("-dev") for p in packages), command
            assert "--no-install-recommends" in command and "rm -rf /var/lib/apt/lists" in command
        assert ".[dev]" not in command and "tests" not in command.split(), command
    sources, _ = dockerfile_copies()
    assert "tests" not in sources and "bench" not in sources and "." not in sources


def runtime_distributions() -> set[str]:
    """pyproject's dependencies and theirs, as installed (markers and extras evaluated)."""
    import tomllib
    from importlib.metadata import distribution

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [(Requirement(r), set()) for r in project["dependencies"]]
    found: set[str] = set()
    while todo:
        requirement, parent_extras = todo.pop()
        environment = [{"extra": extra} for extra in parent_extras] or [{"extra": ""}]
        if requirement.marker and not any(requirement.marker.evaluate(e) for e in environment):
            continue
        name = normalize(requirement.name)
        key = name + "[" + ",".join(sorted(requirement.extras)) + "]"
        if key in found:
            continue
        found.add(key)
        found.add(name)
        for sub in distribution(requirement.name).requires or []:
            todo.append((Requirement(sub), set(requirement.extras)))
    return {name for name in found if "[" not in name}


def test_runtime_dependencies_are_locked_and_enough_for_the_image():
    """pip installs, with the lock as constraints, exactly locked versions; and every package
    the image's code imports is among them (not only in the dev extras)."""
    locked = {
        normalize(m.group(1))
        for m in re.finditer(
            r"^([A-Za-z0-9][A-Za-z0-9._-]*)==",
            (ROOT / "requirements.lock").read_text(),
            re.MULTILINE,
        )
    }
    runtime = runtime_distributions()
    assert {"django", "celery", "gunicorn", "sentry-sdk", "python-json-logger"} <= runtime
    assert runtime <= locked, f"not locked: {sorted(runtime - locked)}"
    assert not runtime & {"pytest", "ruff", "playwright", "factory-boy", "hypothesis"}
    distributions = packages_distributions()
    sources, _ = dockerfile_copies()
    missing = []
    for package in sources & local_roots():
        for path in (ROOT / package).rglob("*.py"):
            for module, line in imports(path):
                if module in sys.stdlib_module_names or module in local_roots():
                    continue
                if not {normalize(d) for d in distributions.get(module, [])} & runtime:
                    missing.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not missing, "the image would lack:\n" + "\n".join(missing)


def healthcheck_url(command: list[str]) -> str:
    [url] = re.findall(r"https?://[^'\"]+", " ".join(command))
    return url


def test_image_and_web_probe_healthz():
    match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", DOCKERFILE.replace("\\\n", " "), re.M)
    assert match, "the image has no HEALTHCHECK"
    image_probe = json.loads(match.group(1))
    web_probe = SERVICES["web"]["healthcheck"]["test"]
    assert web_probe[0] == "CMD" and web_probe[1:] == image_probe
    assert urlsplit(healthcheck_url(web_probe)).path == "/healthz"
    assert urlsplit(healthcheck_url(web_probe)).port == 8000


@pytest.mark.django_db
def test_the_probe_gets_200_from_healthz(client, settings):
    """The probe's own address, with the production ALLOWED_HOSTS of the stack."""
    settings.ALLOWED_HOSTS = ["vcc.example.org"]
    url = urlsplit(healthcheck_url(SERVICES["web"]["healthcheck"]["test"]))
    assert client.get(url.path, HTTP_HOST=url.netloc).status_code == 200


def test_worker_health_is_a_celery_ping_of_itself():
    test = SERVICES["worker"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    argv = shlex.split(test[1].replace("$$", "$"))
    assert argv[:4] == ["celery", "-A", "vcc", "inspect"]
    app = find_app(argv[2])
    context = celery_cli.commands["inspect"].make_context(
        "inspect", argv[4:], obj=CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    )
    assert context.params["command"] == "ping"
    assert context.params["destination"] == ["celery@$HOSTNAME"]
    # Beat answers no ping: it does not inherit the image's web check.
    assert SERVICES["beat"]["healthcheck"] == {"disable": True}


def local_roots() -> set[str]:
    return {
        p.name.removesuffix(".py")
        for p in ROOT.iterdir()
        if (p.is_dir() and not p.name.startswith(".")) or p.suffix == ".py"
    }


def test_image_holds_every_local_app_template_and_static_dir():
    sources, final = dockerfile_copies()
    needed = {"manage.py", settings.ROOT_URLCONF.split(".")[0]}
    needed |= {app.split(".")[0] for app in settings.INSTALLED_APPS} & local_roots()
    for directory in [*settings.TEMPLATES[0]["DIRS"], *settings.STATICFILES_DIRS]:
        path = Path(directory[1] if isinstance(directory, tuple) else directory)
        relative = path.relative_to(ROOT).parts[0]
        if relative == "node_modules":
            assert re.search(r"^COPY --from=\S+ \S+/node_modules ", final, re.MULTILINE)
        else:
            needed.add(relative)
    missing = needed - sources
    assert not missing, f"the Dockerfile does not COPY {sorted(missing)}"
    # Nor may the code in the image import a local package that is not in it.
    for package in sources & local_roots():
        for path in (ROOT / package).rglob("*.py"):
            local = {name for name, _ in imports(path)} & local_roots()
            assert local <= sources | {package}, f"{path.relative_to(ROOT)} imports {local}"


def test_ci_scripts_are_executable_bash():
    for script in (".ci/run", ".ci/services.sh"):
        path = ROOT / script
        assert os.access(path, os.X_OK), f"{script} is not executable"
        assert path.read_text().startswith("#!/usr/bin/env bash\n"), script
        subprocess.run(["bash", "-n", str(path)], check=True)
    run = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in run
    assert "--junitxml=" in run and "-p no:cacheprovider" in run and "-rs" in run


SKIP_DIRS = {".venv", "node_modules", "var", "staticfiles", "test-artifacts"}


def project_files() -> list[Path]:
    found = []
    for directory, subdirs, files in os.walk(ROOT):
        subdirs[:] = [d for d in subdirs if d not in SKIP_DIRS and not d.startswith(".")]
        found += [Path(directory, name) for name in files if name.endswith(".py")]
    return found


def imports(path: Path) -> list[tuple[str, int]]:
    """Top-level names of the absolute imports in a file, but those guarded by
    `except ImportError` (optional by design)."""
    tree = ast.parse(path.read_text(), str(path))
    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in {"ImportError", "ModuleNotFoundError"}
            for h in node.handlers
        ):
            optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_locked():
    locked = set()
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==", line)
        if match:
            locked.add(normalize(match.group(1)))
    distributions = packages_distributions()
    local = local_roots()
    unlocked = []
    for path in project_files():
        siblings = {p.stem for p in path.parent.iterdir()}  # a script's own directory
        for module, line in imports(path):
            if module in sys.stdlib_module_names or module in local | siblings | {"__future__"}:
                continue
            dists = {normalize(d) for d in distributions.get(module, [])}
            if not dists & locked:
                where = f"{path.relative_to(ROOT)}:{line}"
                unlocked.append(f"{where} imports {module} ({sorted(dists) or 'not installed'})")
    assert not unlocked, "imported but not in requirements.lock:\n" + "\n".join(unlocked)


@pytest.mark.django_db  # closing a response closes stale database connections
def test_static_files_are_served_without_debug(client, settings):
    """gunicorn serves the CSS, htmx and the map library itself (WhiteNoise), DEBUG or not."""
    assert settings.DEBUG is False
    for path in [
        "/static/vcc/vcc.css",
        "/static/django_htmx/htmx-2.min.js",
        "/static/vendor/cytoscape/cytoscape.min.js",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


# The environment a deployment sets, as the README's "Putting vcc on the internet" documents.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7Qm2Zr9VxP4wL8nB3cT6yH1jF5sD0gA-eU_iO7pR2tY9uW4qE6zX8cV1bN3mK5l",
    "ALLOWED_HOSTS": "vcc.example.org",
    "SITE_URL": "https://vcc.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://vcc.example.org",
    "VCC_BEHIND_PROXY": "1",
}


def run_manage(*args: str, env: dict, tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VCC_", "DJANGO_"))}
    for name in ("DEBUG", "SECRET_KEY", "SITE_URL", "SECURE_COOKIES", "ALLOWED_HOSTS"):
        clean.pop(name, None)
    clean |= {"VCC_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "backing",
    [
        pytest.param({"DATABASE_URL": "", "REDIS_URL": ""}, id="embedded"),
        pytest.param(
            {
                "DATABASE_URL": "postgres://vcc:secret@postgres:5432/vcc",
                "REDIS_URL": "redis://redis:6379/0",
            },
            id="compose",
        ),
    ],
)
def test_check_deploy_is_clean_with_production_settings(backing, tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=PRODUCTION_ENV | backing,
        tmp_path=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_check_deploy_warns_without_the_production_settings(tmp_path):
    """The test above can fail: the development defaults are what check --deploy warns of."""
    env = {"DEBUG": "1", "SITE_URL": "http://127.0.0.1:8000", "DATABASE_URL": "", "REDIS_URL": ""}
    result = run_manage("check", "--deploy", env=env, tmp_path=tmp_path)
    output = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W009", "security.W018"):
        assert warning in output, output


SHOW = "from django.conf import settings as s; print(repr([{names}]))"


def settings_under(env: dict, tmp_path, *names: str) -> list:
    code = SHOW.format(names=", ".join(f"getattr(s, {n!r}, None)" for n in names))
    result = run_manage(
        "shell", "-c", code, env={"DATABASE_URL": "", "REDIS_URL": ""} | env, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
)


def test_https_settings_follow_site_url_and_the_environment(tmp_path):
    # make run: plain http on loopback, so nothing that would break it.
    assert settings_under({"SITE_URL": "http://127.0.0.1:8000"}, tmp_path, *HTTPS_SETTINGS) == [
        False,
        0,
        False,
        False,
        False,
        None,
    ]
    # A public https address: redirect, a year of HSTS, secure cookies.
    assert settings_under({"SITE_URL": "https://vcc.example.org"}, tmp_path, *HTTPS_SETTINGS) == [
        True,
        31536000,
        True,
        True,
        True,
        None,
    ]
    # Each set on its own, and the proxy's header trusted only when asked.
    env = {
        "SITE_URL": "https://vcc.example.org",
        "VCC_SECURE_SSL_REDIRECT": "0",
        "VCC_HSTS_SECONDS": "3600",
        "VCC_HSTS_INCLUDE_SUBDOMAINS": "0",
        "SECURE_COOKIES": "0",
        "VCC_BEHIND_PROXY": "1",
    }
    assert settings_under(env, tmp_path, *HTTPS_SETTINGS) == [
        False,
        3600,
        False,
        False,
        False,
        ("HTTP_X_FORWARDED_PROTO", "https"),
    ]


def test_the_cache_is_shared_between_processes(tmp_path):
    """Rate-limit counters must be seen by every worker: Redis, or files, never memory."""
    [embedded] = settings_under({}, tmp_path, "CACHES")
    assert embedded["default"]["BACKEND"].endswith("FileBasedCache")
    assert embedded["default"]["LOCATION"] == str(tmp_path / "cache")
    [redis] = settings_under({"REDIS_URL": "redis://redis:6379/0"}, tmp_path, "CACHES")
    assert redis["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["default"]["LOCATION"] == "redis://redis:6379/0"
