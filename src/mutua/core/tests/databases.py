"""Throwaway databases for tests that run Mutua in other processes (servers, concurrent writers).

`throwaway_database(folder)` yields a `DATABASE_URL` of the same kind as the suite's own database: a
new SQLite file in `folder`, or a new database on the same PostgreSQL server (dropped afterwards).
`database_migrate(env)` brings one to the latest migration; `database_copy(url, folder)` yields
one holding a copy of another (the served demo's, so that a test can write to its own demo).
"""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql


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


def child_environ() -> dict[str, str]:
    """This process's environment for a process it starts, without the switch that only the test
    process may have: `DJANGO_ALLOW_ASYNC_UNSAFE`, set while a browser is up (`browser` in
    `web/tests/conftest.py`), which production must never see (`check --deploy` refuses it)."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def mutua_env(home: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like Mutua process on that database."""
    return {
        **child_environ(),
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


# One migrated database per test process, copied for every test that needs a fresh one: running
# every migration in a subprocess takes about ten seconds, copying a file or a template database
# well under one.
_templates: dict[str, str] = {}


def _template_drop_at_exit(config: dict, name: str) -> None:
    import atexit

    atexit.register(_postgres_drop, config, name)


def database_migrate(env: dict[str, str]) -> None:
    """Bring the empty throwaway database `env` names to the latest migration, as `mutua migrate`
    would, by copying a database migrated once for this test process."""
    url = env["DATABASE_URL"]
    config = dj_database_url.parse(url)
    if url.startswith("sqlite"):
        target = Path(config["NAME"])
        if target.exists() and target.stat().st_size > 0:
            run_mutua("migrate", "--noinput", "-v", "0", env=env)
            return
        if "sqlite" not in _templates:
            import atexit
            import shutil
            import sqlite3
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="mutua-template-"))
            atexit.register(shutil.rmtree, folder, True)
            template = folder / "template.sqlite3"
            run_mutua(
                "migrate",
                "--noinput",
                "-v",
                "0",
                env={**env, "DATABASE_URL": f"sqlite:///{template}", "MUTUA_HOME": str(folder)},
            )
            with sqlite3.connect(str(template)) as db:  # everything in the main file
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _templates["sqlite"] = str(template)
        target.write_bytes(Path(_templates["sqlite"]).read_bytes())
        return
    if "postgresql" not in _templates:
        name = f"mutua_template_{uuid.uuid4().hex[:10]}"
        _postgres_admin(config, f'CREATE DATABASE "{name}"')
        _template_drop_at_exit(config, name)
        template_url = url.rsplit("/", 1)[0] + f"/{name}"
        run_mutua("migrate", "--noinput", "-v", "0", env={**env, "DATABASE_URL": template_url})
        _templates["postgresql"] = name
    target_name = config["NAME"]
    _postgres_admin(config, f'DROP DATABASE "{target_name}" WITH (FORCE)')
    _postgres_admin(
        config, f'CREATE DATABASE "{target_name}" TEMPLATE "{_templates["postgresql"]}"'
    )


@contextmanager
def database_copy(source_url: str, folder: Path) -> Iterator[str]:
    """A throwaway database of the suite's kind holding a copy of the database at `source_url`
    (say, the served demo's, while it is served)."""
    with throwaway_database(folder) as url:
        if url.startswith("sqlite"):
            source = sqlite3.connect(dj_database_url.parse(source_url)["NAME"])
            target = sqlite3.connect(dj_database_url.parse(url)["NAME"])
            source.backup(target)  # one moment of the source, WAL and all
            source.close()
            target.close()
        else:
            postgres_copy(source_url, url)
        yield url


def postgres_copy(source_url: str, target_url: str) -> None:
    """Make the (empty) target database a copy of the source, by CREATE DATABASE ... TEMPLATE."""
    source, target = (str(dj_database_url.parse(u)["NAME"]) for u in (source_url, target_url))
    admin = target_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target)))
        create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(target), sql.Identifier(source)
        )
        for attempt in range(20):
            try:
                conn.execute(create)
                return
            except psycopg.errors.ObjectInUse:
                # a server on the source (the served demo's gunicorn) closes its connections after
                # each request
                if attempt == 19:
                    raise
                time.sleep(0.5)
