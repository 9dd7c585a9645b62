"""Racers on their own database connections: the last places of a task go to exactly as many
members, and one plot is offered to exactly one of two applicants at once (`racers.py` runs the
race in a process of its own, on a throwaway database of the suite's kind).

The task's conditional UPDATE (sign-ups) and the garden's row lock (offers) serialise the racers;
SQLite does so with its single writer (`BEGIN IMMEDIATE`), PostgreSQL with the row locks."""

import json
import subprocess
import sys

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database


def test_racing_members_and_stewards_never_overfill_a_task_or_double_offer_a_plot(
    tmp_path,
) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        done = subprocess.run(
            [sys.executable, "-m", "mutua.gardens.tests.racers"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(outcome["task"]) == ["ok", "ok", "task_full", "task_full", "task_full"]
    assert (outcome["taken"], outcome["signups"]) == (2, 2)
    assert sorted(outcome["offer"]) == ["ok", "plot_taken"]
    assert outcome["live"] == 1
