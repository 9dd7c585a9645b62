"""A client killed (SIGKILL) in the middle of a stream of transfers loses nothing it was told about,
and its retries after a restart are answered, never applied twice.

The client sends `ledger_client.stream_requests` one at a time and prints each id once its transfer
is committed: that line is the acknowledgement. The test kills it once it has read `ACKED` of them,
either at once (an acknowledgement sent before its commit would then be missing) or after it has
stopped listening for a moment, so that some transfers are committed but never acknowledged and the
kill lands wherever the client is (most often inside a transaction).

A restarted client then verifies the books, finds every acknowledged transfer, sends those requests
again (each must be `exists` and move nothing), and sends the rest of the stream: the ones that may
have been committed without being acknowledged are `exists`, the others `ok`, and the books end as
if nothing had happened.
"""

import json
import signal
import subprocess
import time

import pytest

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database
from mutua.ledger.tests.ledger_client import (
    Model,
    books_set_up,
    client_command,
    client_run,
    stream_requests,
)

SEED = 1729
COUNT = 300  # far more than are sent before the kill, so the kill lands mid-stream
ACKED = 40


def acknowledgements(client: subprocess.Popen[str], count: int) -> list[str]:
    assert client.stdout is not None and client.stderr is not None
    acked = []
    for _ in range(count):
        line = client.stdout.readline()
        assert line, f"the client stopped before {count} acknowledgements:\n{client.stderr.read()}"
        acked.append(line.strip())
    return acked


@pytest.mark.parametrize("unheard", [0.0, 0.1], ids=["at-an-ack", "acks-unheard"])
def test_a_client_killed_mid_stream_finds_every_acknowledged_transfer_and_retries_safely(
    tmp_path, unheard: float
) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        books_path, books = books_set_up(tmp_path, env)
        client = subprocess.Popen(
            client_command("stream", str(books_path), str(SEED), str(COUNT)),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        acked = acknowledgements(client, ACKED)
        time.sleep(unheard)  # the client goes on; its acknowledgements are lost in the pipe
        client.send_signal(signal.SIGKILL)
        client.communicate(timeout=30)
        assert client.returncode == -signal.SIGKILL  # killed, not finished
        recover = ("recover", str(books_path), str(SEED), str(COUNT), str(ACKED))
        report = json.loads(client_run(*recover, env=env))
    requests = stream_requests(books, SEED, COUNT)
    assert acked == [str(r.id) for r in requests[:ACKED]]

    assert report["verify_before"] == []
    assert [i for i in range(ACKED) if i not in report["present"]] == []  # acknowledged: stored
    committed = len(report["present"])
    assert report["present"] == list(range(committed))  # and after them, no gap
    assert committed < COUNT
    assert report["transfers_before"] == len(books["funding"]) + committed  # and nothing else
    assert report["acked"] == ["exists"] * ACKED
    assert report["acked_changed_nothing"]
    # The first unacknowledged request may have been in flight (or a few, unread in the pipe).
    assert report["rest"] == ["exists"] * (committed - ACKED) + ["ok"] * (COUNT - committed)
    assert report["verify_after"] == []
    expected = Model(books).replay(stream_requests(books, SEED, COUNT))
    assert report["totals"] == expected.table()
