"""Fixtures for the web shell's tests: the community cast, and a served demo driven by Chromium.

`served_demo` builds the demo community in a database of its own (a temporary SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL), then serves it with gunicorn exactly
as production would (DEBUG off, static files collected and served by WhiteNoise) on a free port;
`served_demo_env` is its environment, to run `mutua` commands on the served database. `browser`
is Debian's Chromium driven by Playwright; it never downloads a browser. `sign_in` signs a page
in as one of the demo people, who all share the password "mutua-demo".
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from mutua.community.tests.conftest import in_town, other_town, town  # noqa: F401
from mutua.core.tests.databases import database_migrate, mutua_env, run_mutua, throwaway_database

CHROMIUM = os.environ.get("MUTUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("MUTUA_SCREENSHOTS", settings.HOME / "screenshots"))
DEMO_PASSWORD = "mutua-demo"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("served-demo")
    with throwaway_database(home) as database_url:
        env = mutua_env(home, database_url, MUTUA_ALLOWED_HOSTS="127.0.0.1,localhost")
        _served_env.update(env)
        database_migrate(env)
        run_mutua("collectstatic", "--noinput", "-v", "0", env=env)
        assert "mutua-demo" in run_mutua("demo", "--force", env=env)
        port = _free_port()
        with open(home / "gunicorn.log", "w") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "mutua.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                yield _wait_until_serving(f"http://127.0.0.1:{port}")
            finally:
                server.terminate()
                server.wait(timeout=10)


_served_env: dict[str, str] = {}


@pytest.fixture(scope="session")
def served_demo_env(served_demo: str) -> dict[str, str]:
    """The served demo's environment, to run `mutua` commands on its database beside the server."""
    return dict(_served_env)


def _wait_until_serving(base: str) -> str:
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310 (our own server)
            return base
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the demo server at {base} did not start")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    # Playwright's synchronous API keeps an asyncio loop in the test thread, and Django then takes
    # every later database call of the session for a call from async code (Mutua has none) and
    # refuses it. Where a worker of `pytest -n` meets a browser test before database tests, they
    # would all fail; the check is switched off while the browser is up.
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]')")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


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
