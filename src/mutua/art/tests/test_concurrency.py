"""Racers on their own database connections: four investors buying the same edition's first sale
get one sale, and four buying the same listing get one resale; the ledger, the provenance logs and
the chain agree afterwards (`racers.py` runs the race in a process of its own, on a throwaway
database of the suite's kind).

The edition's row lock serialises the racers (`sales._edition_locked`); SQLite does so with its
single writer (`BEGIN IMMEDIATE`), PostgreSQL with the row lock."""

from pathlib import Path

from mutua.core.tests.racing import racers_run


def test_racing_investors_buy_an_edition_once(tmp_path: Path) -> None:
    outcome = racers_run("mutua.art.tests.racers", tmp_path)
    assert sorted(outcome["first_sales"]) == ["ok"] + ["sold"] * 3
    assert sorted(outcome["resales"]) == ["not_open"] * 3 + ["ok"]
    assert outcome["sales"] == {"1": 1, "2": 2}
    assert all(holder.startswith("racer") for holder in outcome["holders"])
    assert outcome["ledger"] == 0
    assert outcome["art"] == []
