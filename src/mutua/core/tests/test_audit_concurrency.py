"""Several processes appending to one audit chain at once leave one unbroken chain.

Each writer process takes the chain's next place inside its own transaction; PostgreSQL serialises
them with an advisory lock, SQLite with its single writer (`BEGIN IMMEDIATE`). Without that, two
writers would read the same last entry and one of them would fail on the unique (chain, seq).
"""

import subprocess
import sys

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database

WRITERS = 4
ENTRIES_EACH = 25

WRITER = """
import django, sys
django.setup()
from mutua.core.services import audit_record
for i in range(int(sys.argv[1])):
    audit_record(action="test.concurrency.appended", community_id=None, data={"i": i})
"""

CHECK = """
import django
django.setup()
from mutua.core.models import AuditEntry
from mutua.core.selectors import audit_verify
appended = AuditEntry.objects.filter(action="test.concurrency.appended")
seqs = list(appended.values_list("seq", flat=True))
print(len(seqs), sorted(seqs) == list(range(1, len(seqs) + 1)), audit_verify() == {})
"""


def test_concurrent_writers_keep_one_unbroken_chain(tmp_path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(ENTRIES_EACH)],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(WRITERS)
        ]
        for writer in writers:
            _out, err = writer.communicate(timeout=300)
            assert writer.returncode == 0, err
        check = subprocess.run(
            [sys.executable, "-c", CHECK],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    assert check.stdout.split() == [str(WRITERS * ENTRIES_EACH), "True", "True"]
