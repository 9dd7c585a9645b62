"""Settings: production needs a secret, deploy checks pass, SQLite runs in WAL."""

import subprocess
import sys

import pytest
from django.db import connection

from mutua.core.tests.databases import child_environ


def run_mutua(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in child_environ().items() if not k.startswith("MUTUA_")}
    return subprocess.run(
        [sys.executable, "-m", "mutua", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path) -> None:
    done = run_mutua("check", MUTUA_HOME=str(tmp_path))
    assert done.returncode != 0
    assert "MUTUA_SECRET_KEY is not set" in done.stderr


def test_production_settings_pass_the_deploy_check(tmp_path) -> None:
    done = run_mutua(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        MUTUA_HOME=str(tmp_path),
        MUTUA_SECRET_KEY="a" * 20 + "-long-random-production-secret-value-xyz",
        MUTUA_ALLOWED_HOSTS="mutua.example.org",
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.django_db
def test_the_database_is_sqlite_in_wal_mode_or_postgresql() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    else:
        assert connection.vendor == "postgresql"
        assert connection.pg_version >= 150000
