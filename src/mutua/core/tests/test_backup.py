"""`mutua backup` and `mutua restore`, for real, in processes of their own: the demo community is
backed up while another process keeps paying between wallets, restored into an empty database
elsewhere, and the restored copy passes the ledger's, the audit log's, the pantry's and the art's
checks, with every uploaded photo back in place. A damaged archive, and a target that already
holds data, are refused."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from mutua.core.tests.databases import database_migrate, mutua_env, run_mutua, throwaway_database

# Pays 1 local cent back and forth between the two richest member wallets until it is killed.
PAYER = """
import itertools
from mutua.core.ids import new_id
from mutua.core.tenancy import scopes_disabled
from mutua.ledger import services
from mutua.ledger.domain import TransferRequest
from mutua.ledger.models import Account
with scopes_disabled():
    pair = sorted(Account.objects.filter(kind="member"),
                  key=lambda a: a.debits_posted - a.credits_posted)[:2]
    community = pair[0].ledger.community
    print("paying", flush=True)
    for n in itertools.count():
        a, b = pair if n % 2 == 0 else pair[::-1]
        services.transfer_create(community=community, request=TransferRequest(
            id=new_id(), debit_account_id=a.pk, credit_account_id=b.pk, amount=1, code="test"))
"""

COUNT = """
from mutua.core.tenancy import scopes_disabled
from mutua.ledger.models import Transfer
with scopes_disabled():
    print(Transfer.objects.filter(code="test").count())
"""


def _mutua(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mutua", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_taken_while_paying_restores_and_verifies(tmp_path: Path) -> None:
    archive = tmp_path / "mutua-backup.tar.gz"
    with throwaway_database(tmp_path / "live") as live_url:
        (tmp_path / "live").mkdir(exist_ok=True)
        live = mutua_env(tmp_path / "live", live_url)
        database_migrate(live)
        run_mutua("demo", "--force", env=live)
        payer = subprocess.Popen(
            [sys.executable, "-m", "mutua", "shell", "-c", PAYER],
            env=live,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert payer.stdout is not None
            while "paying" not in payer.stdout.readline():
                assert payer.poll() is None, payer.stderr.read() if payer.stderr else ""
            time.sleep(1)  # some payments before the backup, more during it
            written = run_mutua("backup", str(archive), env=live)
        finally:
            payer.kill()
            payer.wait(timeout=10)
        assert "uploaded file(s)" in written
        photos = sorted(p.name for p in (tmp_path / "live" / "media").rglob("*.jpg"))
    assert len(photos) == 6

    (tmp_path / "copy").mkdir()
    with throwaway_database(tmp_path / "copy") as copy_url:
        copy = mutua_env(tmp_path / "copy", copy_url)
        restored = _mutua("restore", str(archive), env=copy)
        assert restored.returncode == 0, restored.stderr[-3000:]
        assert "0 problem(s)" in restored.stdout  # the ledger
        assert "audit log intact" in restored.stdout
        assert "art verified" in restored.stdout
        paid = run_mutua("shell", "-c", COUNT, env=copy).split()[-1]
        assert int(paid) > 0  # the copy caught the payer mid-way, and still verifies
        back = sorted(p.name for p in (tmp_path / "copy" / "media").rglob("*.jpg"))
        assert back == photos
        again = _mutua("restore", str(archive), env=copy)
        assert again.returncode != 0
        assert "already holds" in again.stderr or "not empty" in again.stderr


def test_a_damaged_archive_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "mutua-backup.tar.gz"
    with throwaway_database(tmp_path) as url:
        run_mutua("backup", str(archive), env=mutua_env(tmp_path, url))  # an empty database will do
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    (tmp_path / "copy").mkdir()
    with throwaway_database(tmp_path / "copy") as url:
        refused = _mutua("restore", str(archive), env=mutua_env(tmp_path / "copy", url))
    assert refused.returncode != 0
    assert "not a Mutua backup" in refused.stderr or "damaged" in refused.stderr


@pytest.mark.parametrize("name", ["../escape.txt"])
def test_an_archive_cannot_write_outside_its_folder(tmp_path: Path, name: str) -> None:
    import io
    import tarfile

    from mutua.core.backup import BackupError, _unpack

    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    (tmp_path / "out").mkdir()
    with pytest.raises(BackupError):
        _unpack(archive, tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()
