"""Properties of the waitlist: a freed plot always goes to the earliest eligible entry (households
without a garden first when the garden says so), and no plot is ever held twice in a season,
whatever members and stewards do in whatever order."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.core.errors import MutuaError
from mutua.gardens import services
from mutua.gardens.models import LIVE, Application, Assignment
from mutua.gardens.waitlist import Entry, next_in_line, waitlist_order

START = datetime(2027, 3, 1, tzinfo=UTC)

entries = st.lists(
    st.builds(
        Entry,
        id=st.uuids(),
        applied_at=st.integers(0, 50).map(lambda m: START + timedelta(minutes=m)),
        without_garden=st.booleans(),
        waiting=st.booleans(),
    ),
    max_size=30,
    unique_by=lambda e: e.id,
)


@given(entries, st.booleans())
def test_the_next_in_line_is_the_earliest_eligible_entry(
    found: list[Entry], priority: bool
) -> None:
    chosen = next_in_line(found, household_priority=priority)
    eligible = [e for e in found if e.waiting]
    if not eligible:
        assert chosen is None
        return
    assert chosen is not None and chosen.waiting
    if priority and any(e.without_garden for e in eligible):
        eligible = [e for e in eligible if e.without_garden]
        assert chosen.without_garden
    earliest = min(e.applied_at for e in eligible)
    assert chosen.applied_at == earliest
    assert chosen.id == min((e.id for e in eligible if e.applied_at == earliest), key=str)


@given(entries, st.booleans())
def test_the_order_keeps_everyone_once(found: list[Entry], priority: bool) -> None:
    ordered = waitlist_order(found, household_priority=priority)
    assert sorted(e.id for e in ordered) == sorted(e.id for e in found)
    without_first = [e.without_garden for e in ordered]
    if priority:
        assert without_first == sorted(without_first, reverse=True)


pytestmark = pytest.mark.django_db

# Steps a season can take: (what, who, which plot)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["apply", "offer", "accept", "decline", "withdraw", "return"]),
        st.integers(0, 2),
        st.integers(0, 1),
    ),
    max_size=14,
)


def _waiting_next(town):  # type: ignore[no-untyped-def]
    rows = Application.objects.filter(season=town.spring)
    found = [Entry(a.id, a.created_at, a.without_garden, a.status == "waiting") for a in rows]
    return next_in_line(found, household_priority=town.garden.household_priority)


def _step(town, kind: str, who: int, plot: int) -> None:  # type: ignore[no-untyped-def]
    member = (town.ana, town.ben, town.cai)[who]
    mine = Application.objects.filter(member=member, season=town.spring).first()
    live = Assignment.objects.filter(member=member, status__in=LIVE).first()
    if kind == "apply":
        town.apply(member, without_garden=who == 2)
    elif kind == "offer" and mine is not None:
        town.offer(mine, town.plots[plot])
    elif kind == "accept" and live is not None:
        services.offer_accept(actor=member, assignment=live)
    elif kind in ("decline", "withdraw", "return") and live is not None:
        expected = _waiting_next(town)
        if kind == "withdraw":
            offered = services.offer_withdraw(actor=town.tess, assignment=live)
        else:
            answer = services.offer_decline if kind == "decline" else services.plot_return
            offered = answer(actor=member, assignment=live)
        if expected is None:
            assert offered is None
        else:  # the freed plot went to the earliest eligible entry, at once
            assert offered is not None
            assert (offered.application_id, offered.plot_id) == (expected.id, live.plot_id)


def _check(town) -> None:  # type: ignore[no-untyped-def]
    live = list(Assignment.objects.filter(season=town.spring, status__in=LIVE))
    assert len({a.plot_id for a in live}) == len(live), "a plot is held twice"
    assert len({a.application_id for a in live}) == len(live), "an application holds two plots"


# Each example runs in a transaction rolled back at its end, so examples share only the town.
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, priority=st.booleans())
def test_no_plot_is_ever_held_twice_and_freed_plots_go_to_the_list(town, steps, priority) -> None:
    with transaction.atomic():
        town.garden.household_priority = priority
        town.garden.save()
        for kind, who, plot in steps:
            with contextlib.suppress(MutuaError):
                _step(town, kind, who, plot)
            _check(town)
        transaction.set_rollback(True)
