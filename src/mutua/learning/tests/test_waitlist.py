"""Properties of the waitlist: freed seats always go to the earliest entry that fits (a group is
offered all its seats or none), and the seats held never exceed the capacity, whatever members do
in whatever order."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.core.errors import MutuaError
from mutua.learning import services
from mutua.learning.models import Registration, RegistrationStatus
from mutua.learning.tests.conftest import Commons
from mutua.learning.waitlist import Entry, offers_for, waitlist_order

START = datetime(2027, 3, 1, tzinfo=UTC)

entries = st.lists(
    st.builds(
        Entry,
        id=st.uuids(),
        queued_at=st.integers(0, 50).map(lambda m: START + timedelta(minutes=m)),
        seats=st.integers(1, 6),
    ),
    max_size=30,
    unique_by=lambda e: e.id,
)


@given(entries, st.integers(0, 12))
def test_each_offer_goes_to_the_earliest_entry_that_fits(found: list[Entry], free: int) -> None:
    offered = offers_for(found, free_seats=free)
    assert sum(e.seats for e in offered) <= free
    left = free
    chosen = {e.id for e in offered}
    for entry in waitlist_order(found):
        fits = entry.seats <= left
        assert (entry.id in chosen) == fits  # every entry that fit was served, in order
        if fits:
            left -= entry.seats


@given(entries)
def test_the_order_is_first_come_and_keeps_everyone_once(found: list[Entry]) -> None:
    ordered = waitlist_order(found)
    assert sorted(e.id for e in ordered) == sorted(e.id for e in found)
    assert [e.queued_at for e in ordered] == sorted(e.queued_at for e in found)


# --- the same, through the services and the database ---------------------------------------------

PEOPLE = ("ana", "ben", "cy", "dee", "ines")
steps = st.lists(
    st.tuples(
        st.sampled_from(["register", "wait", "cancel", "accept", "decline", "expire"]),
        st.sampled_from(PEOPLE),
        st.integers(1, 3),
    ),
    max_size=20,
)


def _apply(commons: Commons, session, step, now):  # type: ignore[no-untyped-def]
    kind, who, seats = step
    member = getattr(commons, who)
    mine = (
        Registration.objects.filter(session=session, member=member).order_by("-created_at").first()
    )
    if kind in ("register", "wait"):
        services.registration_create(
            actor=member, session=session, seats=seats, waitlist=kind == "wait", now=now
        )
    elif kind == "expire":
        services.offers_expire(now=now)
    elif mine is not None and kind == "cancel":
        services.registration_cancel(actor=member, registration=mine, now=now)
    elif mine is not None and kind == "accept":
        services.offer_accept(actor=member, registration=mine, now=now)
    elif mine is not None:
        services.offer_decline(actor=member, registration=mine, now=now)


def _invariants(session) -> None:  # type: ignore[no-untyped-def]
    session.refresh_from_db()
    held = services.seats_held(session)
    assert held <= session.capacity
    waiting = Registration.objects.filter(session=session, status=RegistrationStatus.WAITING)
    # After every step, no waiting entry fits in the free seats: they would have been offered.
    free = session.capacity - held
    assert all(r.seats > free for r in waiting)


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_seats_held_never_exceed_capacity_and_free_seats_never_idle(
    commons: Commons, steps: list[tuple[str, str, int]]
) -> None:
    session = commons.new_session(capacity=4)
    now = commons.now
    for number, step in enumerate(steps):
        now = commons.now + timedelta(hours=number)  # offers last six hours; the session is at 24
        with contextlib.suppress(MutuaError), transaction.atomic():
            _apply(commons, session, step, now)
        services.session_touch(session=session, now=now)
        _invariants(session)
