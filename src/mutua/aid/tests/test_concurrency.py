"""Racers on their own database connections: six households asking for aid at once get requests
#1 to #6, and six donations recorded at once get receipts #1 to #6 (`racers.py` runs the races in a
process of its own, on a throwaway database of the suite's kind).

Without `mutua.core.numbering`'s lock, PostgreSQL let two racers read the same highest number, and
the unique constraint then refused the second with a server error; SQLite's single writer
serialises them anyway."""

from pathlib import Path

from mutua.aid.tests.racers import RACERS
from mutua.core.tests.racing import racers_run


def test_racing_households_and_donations_each_get_a_number_of_their_own(tmp_path: Path) -> None:
    outcome = racers_run("mutua.aid.tests.racers", tmp_path)
    assert outcome["requests"] == ["ok"] * RACERS, outcome["stderr"]
    assert outcome["intakes"] == ["ok"] * RACERS, outcome["stderr"]
    assert outcome["request_numbers"] == list(range(1, RACERS + 1))
    assert outcome["intake_numbers"] == list(range(1, RACERS + 1))
