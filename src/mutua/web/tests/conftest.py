"""Fixtures for the web shell's tests: the community cast, and a served demo driven by Chromium.

`served_demo` builds the demo community in a database of its own (a temporary SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL), then serves it with gunicorn exactly
as production would (DEBUG off, static files collected and served by WhiteNoise) on a free port.
`browser` is Debian's Chromium driven by Playwright; it never downloads a browser. `sign_in` signs a
page in as one of the demo people, who all share the password "mutua-demo".
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

from mutua.community.tests.conftest import in_town, other_town, town  # noqa: F401

CHROMIUM = os.environ.get("MUTUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("MUTUA_SCREENSHOTS", settings.HOME / "screenshots"))
DEMO_PASSWORD = "mutua-demo"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _mutua(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "mutua", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, f"mutua {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class _PostgresDatabase:
    """A throwaway database beside the test database, on the same server."""

    def __init__(self, url: str) -> None:
        self.config = dj_database_url.parse(url)
        self.name = f"mutua_browser_{uuid.uuid4().hex[:10]}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=self.config["HOST"], port=self.config["PORT"] or 5432,
                             user=self.config["USER"], password=self.config["PASSWORD"],
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def __enter__(self) -> str:
        self._admin(f'CREATE DATABASE "{self.name}"')
        c = self.config
        return f"postgres://{c['USER']}:{c['PASSWORD']}@{c['HOST']}:{c['PORT'] or 5432}/{self.name}"

    def __exit__(self, *exc: object) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("served-demo")
    env = {**os.environ, "MUTUA_HOME": str(home), "MUTUA_DEBUG": "0", "MUTUA_SECURE": "0",
           "MUTUA_SECRET_KEY": "browser-test-secret", "MUTUA_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = _PostgresDatabase(database_url) if database_url.startswith("postg") else None
    if postgres is not None:
        env["DATABASE_URL"] = postgres.__enter__()
    else:
        env["DATABASE_URL"] = f"sqlite:///{home / 'mutua.sqlite3'}"
    port = _free_port()
    server = None
    try:
        _mutua("migrate", "--noinput", "-v", "0", env=env)
        _mutua("collectstatic", "--noinput", "-v", "0", env=env)
        output = _mutua("demo", "--force", env=env)
        assert "mutua-demo" in output
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "mutua.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
             "--access-logfile", "-"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the demo server did not start")
        yield base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if postgres is not None:
            postgres.__exit__()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served_demo):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=served_demo, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, handle: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
