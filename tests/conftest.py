from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def missing(what: str) -> None:
    """In CI a missing browser or service fails the test; on a laptop it skips it."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is not available")


@pytest.fixture(autouse=True)
def _media_and_layer(settings, tmp_path):
    settings.DEBRIEF_DIR = str(tmp_path / "debriefs")
    settings.SLIDES_DIR = str(tmp_path / "slides")
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    cache.clear()  # throttle counters start from zero in every test
    yield
    # A request in another language (LocaleMiddleware) leaves it active in this thread.
    translation.deactivate()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daphne:
    """A real daphne serving the working tree, with its own environment."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "rencontres.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"daphne did not answer: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # open sockets keep daphne waiting: stop it hard
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log_file.close()


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            # The real settings with shorter polling intervals (tests/server_settings.py).
            "DJANGO_SETTINGS_MODULE": "tests.server_settings",
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file migrated once per run: the servers' databases start as copies of it, the
    same schema and rows as a `migrate` of their own, without its seconds of startup."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    manage(server_env(DATABASE_URL=f"sqlite:///{path}"), "migrate", "--noinput", "-v0")
    return path


def sqlite_url(migrated: Path, path: Path) -> str:
    """A fresh migrated database at `path` (a copy of `migrated`), as a DATABASE_URL."""
    shutil.copyfile(migrated, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        missing("Debian's chromium (/usr/bin/chromium)")
    return CHROMIUM


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def fresh_browser(browser, chromium_path):
    """A Chromium of its own, for a test that watches its sockets close: the shared one may
    still hold sockets of earlier tests to the same address, which delay new ones."""
    own = browser.playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    own.playwright = browser.playwright
    yield own
    own.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        browser.playwright = pw
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def zbarimg() -> str:
    path = shutil.which("zbarimg")
    if path is None:
        missing("zbarimg (Debian package zbar-tools)")
    return path


@pytest.fixture
def sqlite_server(tmp_path, migrated_sqlite):
    """One daphne on a fresh SQLite file with the in-memory channel layer (the default)."""
    env = server_env(DATABASE_URL=sqlite_url(migrated_sqlite, tmp_path / "e2e.sqlite3"))
    server = Daphne(env, tmp_path / "daphne.log")
    yield server, env
    server.stop()  # harmless when a test already stopped it


def _postgres_database(template: str | None = None):
    """A new PostgreSQL database (a copy of `template` if given): its URL, then dropped."""
    import uuid

    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except Exception as exc:
        missing(f"PostgreSQL at {POSTGRES_URL} ({exc})")
    name = f"rencontres_e2e_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield name, f"{base}/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    for _name, url in _postgres_database():
        yield url


@pytest.fixture(scope="session")
def _migrated_postgres():
    """A PostgreSQL database migrated once per run, the template of `migrated_postgres_url`."""
    for name, url in _postgres_database():
        manage(server_env(DATABASE_URL=url), "migrate", "--noinput", "-v0")
        yield name


@pytest.fixture
def migrated_postgres_url(_migrated_postgres):
    """A fresh PostgreSQL database for one test, migrated (a copy of the migrated template)."""
    for _name, url in _postgres_database(template=_migrated_postgres):
        yield url


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        missing(f"Redis at {REDIS_URL} ({exc})")
    return REDIS_URL
