"""The waitlist's order, as a pure function: no Django, tested by properties (`test_waitlist`).

First come, first served: entries are taken in the order they applied (`applied_at`, then `id` so
two entries of the same instant still have one order). When a garden gives households without a
garden of their own priority, those entries go first, in the same order among themselves. A plot
that frees up goes to the first *eligible* entry: one that is still waiting.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID


class Entry(NamedTuple):
    id: UUID
    applied_at: datetime
    without_garden: bool
    waiting: bool = True


def waitlist_order(entries: Iterable[Entry], *, household_priority: bool) -> list[Entry]:
    """Every entry, the one to serve first first."""

    def key(entry: Entry) -> tuple[bool, datetime, str]:
        ahead = household_priority and entry.without_garden
        return (not ahead, entry.applied_at, str(entry.id))

    return sorted(entries, key=key)


def next_in_line(entries: Sequence[Entry], *, household_priority: bool) -> Entry | None:
    """The entry a freed plot is offered to, or None when nobody is waiting."""
    for entry in waitlist_order(entries, household_priority=household_priority):
        if entry.waiting:
            return entry
    return None
