"""Who gets freed seats, as a pure function: no Django, tested by properties (`test_waitlist`).

The waitlist is served in the order people joined it (`queued_at`, then `id`, so two entries of
the same instant still have one order). Freed seats go to the earliest entry that fits in them;
an entry is offered all its seats or none (a parent is never offered a seat without their child).

**A group that does not fit is passed over, not skipped for good.** When two seats free up and
the first entry is a family of three, the seats go to the next entry that fits (say a single
person), and the family keeps its place at the head of the line: it is offered as soon as three
seats are free at once. We chose this over strict first-in-line because a workshop is a one-off
date: seats left empty while people wait help nobody. The cost is that a large group can wait
longer behind a stream of single cancellations; the educator sees the waitlist and can add seats.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID


class Entry(NamedTuple):
    id: UUID
    queued_at: datetime
    seats: int


def waitlist_order(entries: Iterable[Entry]) -> list[Entry]:
    """Every entry, the one to serve first first."""
    return sorted(entries, key=lambda entry: (entry.queued_at, str(entry.id)))


def offers_for(entries: Sequence[Entry], *, free_seats: int) -> list[Entry]:
    """The entries that get an offer now, in waitlist order: each is the earliest entry that still
    fits in the seats left by the ones before it."""
    offered = []
    for entry in waitlist_order(entries):
        if entry.seats <= free_seats:
            offered.append(entry)
            free_seats -= entry.seats
    return offered
