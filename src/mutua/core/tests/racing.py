"""Racers for concurrency tests: jobs started at the same moment, each in its own thread on its
own database connection (`race`). The apps' `racers.py` scripts run them in a process of their own,
on a throwaway database of the suite's kind, and print what each racer got."""

import threading
from collections.abc import Callable
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
