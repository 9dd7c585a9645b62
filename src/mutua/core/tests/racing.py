"""Racers for concurrency tests: jobs started at the same moment, each in its own thread on its
own database connection (`race`). The apps' `racers.py` scripts run them in a process of their own,
on a throwaway database of the suite's kind, and print what each racer got; `racers_run` starts
such a script and returns what it printed."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def race(community_id: Any, jobs: list[Callable[[], object]]) -> list[str]:
    """Run every job at once, each in its own thread and connection: 'ok' or the error's code."""
    from django.db import connection

    from mutua.core.errors import MutuaError
    from mutua.core.tenancy import community_scope

    results = [""] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(index: int) -> None:
        try:
            with community_scope(community_id):
                start.wait()
                jobs[index]()
            results[index] = "ok"
        except MutuaError as error:
            results[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def racers_run(module: str, folder: Path) -> dict[str, Any]:
    """Run the racers script `module` (`python -m module`) in a process of its own, on a migrated
    throwaway database of the suite's kind in `folder`, and return the JSON line it printed last."""
    import json
    import subprocess
    import sys

    from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database

    with throwaway_database(folder) as url:
        env = mutua_env(folder, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        done = subprocess.run(
            [sys.executable, "-m", module],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    outcome["stderr"] = done.stderr[-3000:]
    return outcome
