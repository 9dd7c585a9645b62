"""Backups: `mutua backup FILE` writes one archive of the database and the uploaded files,
consistent while Mutua runs; `mutua restore FILE` puts it back into an empty database and checks it.

The archive is a gzipped tar holding:

- `manifest.json`: format version, database kind, when it was taken, and the SHA-256 of each part;
- `database.sqlite3` (SQLite: SQLite's online backup API copies every page inside one read
  transaction, so the copy is one moment of the database even while the app writes, in WAL mode)
  or `database.pgdump` (PostgreSQL: `pg_dump --format=custom`, which reads one snapshot);
- `media/...`: the uploaded files (artwork photos), which the database names by path.

Restoring refuses an archive whose parts do not match their hashes, and a target database that
already holds Mutua's tables (unless `--replace`, for SQLite only: the file is swapped whole).
PostgreSQL is restored with `pg_restore --no-owner --exit-on-error` into the empty database
`DATABASE_URL` names. The command then runs the ledger's, the audit log's, the pantry's and the
art's own checks on what it restored and fails if any finds a problem.

Errors: `BackupError` for anything the archive or the target refuses, with a plain message.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
POSTGRES_PART = "database.pgdump"
MEDIA = "media"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(database: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore, the password in the environment only."""
    args = ["--host", str(database.get("HOST") or "127.0.0.1")]
    args += ["--port", str(database.get("PORT") or 5432)]
    args += ["--username", str(database.get("USER") or "postgres")]
    env = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    # Our own fixed commands; the only outside values are the database's name and address.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _database_copy(database: Mapping[str, Any], folder: Path) -> Path:
    if database["ENGINE"].endswith("sqlite3"):
        target = folder / SQLITE_PART
        source = sqlite3.connect(str(database["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                source.backup(copy)  # all pages in one step: one read transaction
        finally:
            copy.close()
            source.close()
        return target
    if "postgresql" in database["ENGINE"]:
        target = folder / POSTGRES_PART
        args, env = _libpq(database)
        _run(["pg_dump", *args, "--format=custom", "--file", str(target), database["NAME"]], env)
        return target
    raise BackupError(f"Mutua backs up SQLite and PostgreSQL, not {database['ENGINE']}")


def backup_write(*, database: Mapping[str, Any], media_root: Path, archive: Path) -> dict[str, Any]:
    """Write the archive; returns its manifest."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        part = _database_copy(database, folder)
        media_files = (
            sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        )
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "database": "sqlite" if part.name == SQLITE_PART else "postgresql",
            "taken_at": datetime.now(UTC).isoformat(),
            "parts": {part.name: _sha256(part)},
        }
        for path in media_files:
            manifest["parts"][f"{MEDIA}/{path.relative_to(media_root).as_posix()}"] = _sha256(path)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            tar.add(part, arcname=part.name)
            for path in media_files:
                tar.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
        partial.replace(archive)  # a crash mid-way never leaves a half archive under the name
    return manifest


def _unpack(archive: Path, folder: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")  # refuses absolute paths and links out
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive} is not a Mutua backup: {error}") from None
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{archive} has no readable manifest") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    damaged = [
        name
        for name, digest in manifest["parts"].items()
        if not (folder / name).is_file() or _sha256(folder / name) != digest
    ]
    if damaged:
        raise BackupError(f"the archive is damaged: {', '.join(damaged[:5])} do not match")
    return manifest


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(str(path)) as db:
        found = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'django_migrations'")
        return bool(found.fetchone()[0])


def _postgres_has_tables(database: Mapping[str, Any]) -> bool:
    import psycopg

    with psycopg.connect(
        host=database.get("HOST") or "127.0.0.1",
        port=database.get("PORT") or 5432,
        user=database.get("USER"),
        password=database.get("PASSWORD"),
        dbname=database["NAME"],
    ) as conn:
        row = conn.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL").fetchone()
        return bool(row and row[0])


def backup_restore(
    *, database: Mapping[str, Any], media_root: Path, archive: Path, replace: bool = False
) -> dict[str, Any]:
    """Put the archive's database and files in place; returns its manifest."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        manifest = _unpack(archive, folder)
        sqlite_target = database["ENGINE"].endswith("sqlite3")
        if manifest["database"] != ("sqlite" if sqlite_target else "postgresql"):
            raise BackupError(
                f"this backup is of a {manifest['database']} database; "
                "DATABASE_URL names another kind"
            )
        if sqlite_target:
            target = Path(database["NAME"])
            if _sqlite_has_tables(target) and not replace:
                raise BackupError(
                    f"{target} already holds Mutua's data: stop Mutua and pass --replace"
                )
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(folder / SQLITE_PART, target)
        else:
            if _postgres_has_tables(database):
                raise BackupError(
                    f"the database {database['NAME']} is not empty: restore into a new one"
                )
            args, env = _libpq(database)
            _run(
                [
                    "pg_restore",
                    *args,
                    "--no-owner",
                    "--exit-on-error",
                    "--dbname",
                    database["NAME"],
                    str(folder / POSTGRES_PART),
                ],
                env,
            )
        if (folder / MEDIA).exists():
            shutil.copytree(folder / MEDIA, media_root, dirs_exist_ok=True)
    return manifest
