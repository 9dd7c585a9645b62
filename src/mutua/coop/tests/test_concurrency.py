"""Racers on their own database connections: the last three loaves go to exactly three of five
members ordering at once, and a voucher taken at two tills at once pays out only once (`racers.py`
runs the race in a process of its own, on a throwaway database of the suite's kind).

The offers' row locks (and their CHECK) and the voucher's row lock serialise the racers; SQLite
does so with its single writer (`BEGIN IMMEDIATE`), PostgreSQL with the row locks."""

from pathlib import Path

from mutua.core.tests.racing import racers_run


def test_racing_members_and_tills_never_oversell_or_overspend(tmp_path: Path) -> None:
    outcome = racers_run("mutua.coop.tests.racers", tmp_path)
    assert sorted(outcome["orders"]) == ["not_available"] * 2 + ["ok"] * 3
    assert (outcome["ordered"], outcome["lines"]) == (3, 3)
    assert sorted(outcome["vouchers"]) == ["exceeds_voucher", "ok"]
    assert (outcome["remaining"], outcome["spends"]) == (300, 1)
    assert outcome["verify"] == 0
