"""Throwaway databases for tests that run Mutua in other processes (servers, concurrent writers).

`throwaway_database(folder)` yields a `DATABASE_URL` of the same kind as the suite's own database: a
new SQLite file in `folder`, or a new database on the same PostgreSQL server (dropped afterwards).
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url


def _postgres_admin(config: dict, sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextmanager
def throwaway_database(folder: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postg"):
        yield f"sqlite:///{folder / 'mutua.sqlite3'}"
        return
    config = dj_database_url.parse(url)
    name = f"mutua_test_{uuid.uuid4().hex[:10]}"
    _postgres_admin(config, f'CREATE DATABASE "{name}"')
    try:
        yield (
            f"postgres://{config['USER']}:{config['PASSWORD']}@{config['HOST']}:"
            f"{config['PORT'] or 5432}/{name}"
        )
    finally:
        _postgres_drop(config, name)


def _postgres_drop(config: dict, name: str, attempts: int = 6) -> None:
    """Drop a throwaway database. WITH (FORCE) ends our own sessions, but not an autovacuum worker
    (it runs as the server's role, which ours may not signal); the worker leaves by itself soon."""
    import psycopg

    for attempt in range(attempts):
        try:
            _postgres_admin(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == attempts - 1:
                raise
            time.sleep(1 + attempt)


def mutua_env(home: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like Mutua process on that database."""
    return {
        **os.environ,
        "MUTUA_HOME": str(home),
        "DATABASE_URL": database_url,
        "MUTUA_DEBUG": "0",
        "MUTUA_SECURE": "0",
        "MUTUA_SECRET_KEY": "test-process-secret",
        **extra,
    }


def run_mutua(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mutua", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"mutua {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
