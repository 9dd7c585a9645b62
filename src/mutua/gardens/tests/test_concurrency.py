"""Racers on their own database connections: the last places of a task go to exactly as many
members, and one plot is offered to exactly one of two applicants at once (`racers.py` runs the
race in a process of its own, on a throwaway database of the suite's kind).

The task's conditional UPDATE (sign-ups) and the garden's row lock (offers) serialise the racers;
SQLite does so with its single writer (`BEGIN IMMEDIATE`), PostgreSQL with the row locks."""

from mutua.core.tests.racing import racers_run


def test_racing_members_and_stewards_never_overfill_a_task_or_double_offer_a_plot(
    tmp_path,
) -> None:
    outcome = racers_run("mutua.gardens.tests.racers", tmp_path)
    assert sorted(outcome["task"]) == ["ok", "ok", "task_full", "task_full", "task_full"]
    assert (outcome["taken"], outcome["signups"]) == (2, 2)
    assert sorted(outcome["offer"]) == ["ok", "plot_taken"]
    assert outcome["live"] == 1
