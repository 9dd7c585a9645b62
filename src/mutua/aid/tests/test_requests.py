"""Requests as households and volunteers make them: for items, a category or the standard box;
by the household itself or taken by phone; with their whole history."""

from decimal import Decimal

import pytest

from mutua.aid import services
from mutua.aid.models import AidRequest, BoxLine, RequestEvent
from mutua.community.tests.factories import HouseholdFactory
from mutua.core.errors import Forbidden, MutuaError, NotFound, Refused
from mutua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def wish(quantity, item=None, category=""):
    return services.LineWish(quantity=quantity, item=item, category=category)


def test_a_household_asks_for_itself_and_its_urgency_comes_from_its_profile(pantry):
    request = services.request_create(
        actor=pantry.rivera_member,
        household=pantry.rivera,
        lines=[wish(2, pantry.rice), wish(3, category="canned")],
    )
    assert (request.number, request.status, request.urgent, request.by_phone) == (
        1,
        "new",
        True,
        False,
    )
    assert request.household_size == 4
    assert [(line.quantity, line.category) for line in request.lines.order_by("quantity")] == [
        (2, ""),
        (3, "canned"),
    ]
    assert list(RequestEvent.objects.values_list("status", flat=True)) == ["new"]


def test_a_volunteer_takes_a_request_by_phone(pantry):
    request = services.request_create(
        actor=pantry.dev, household=pantry.okafor, lines=[wish(1, pantry.beans)]
    )
    assert request.by_phone and not request.urgent


def test_a_member_cannot_ask_for_another_household(pantry):
    with pytest.raises(Forbidden):
        services.request_create(
            actor=pantry.rivera_member, household=pantry.okafor, lines=[wish(1, pantry.rice)]
        )
    with pytest.raises(Forbidden):
        services.request_create(
            actor=pantry.gus, household=pantry.okafor, lines=[wish(1, pantry.rice)]
        )


def test_a_household_outside_the_community_is_not_found(pantry, elsewhere):
    stranger = HouseholdFactory(community=elsewhere.community)
    with pytest.raises(NotFound):
        services.request_create(actor=pantry.cora, household=stranger, lines=[wish(1, pantry.rice)])
    assert not AidRequest.objects.exists()


def test_the_standard_box_scales_with_the_household(pantry):
    BoxLine.objects.create(community=pantry.community, item=pantry.rice, per_person=Decimal("0.5"))
    BoxLine.objects.create(community=pantry.community, category="canned", per_person=Decimal("2"))
    request = services.request_create(actor=pantry.rivera_member, household=pantry.rivera, box=True)
    assert sorted(request.lines.values_list("quantity", flat=True)) == [2, 8]


def test_the_box_must_be_set_up(pantry):
    with pytest.raises(Refused, match="not set up"):
        services.request_create(actor=pantry.rivera_member, household=pantry.rivera, box=True)


@pytest.mark.parametrize(
    "lines",
    [[], [("zero", 0)], [("both", 1)], [("neither", 1)]],
)
def test_bad_lines_are_refused_and_nothing_is_written(pantry, lines):
    wishes = []
    for kind, quantity in lines:
        if kind == "both":
            wishes.append(wish(quantity, pantry.rice, "grains"))
        elif kind == "neither":
            wishes.append(wish(quantity))
        else:
            wishes.append(wish(quantity, pantry.rice))
    with pytest.raises(MutuaError):
        services.request_create(actor=pantry.rivera_member, household=pantry.rivera, lines=wishes)
    assert not AidRequest.objects.exists()


def test_cancelling_keeps_the_history(pantry):
    request = services.request_create(
        actor=pantry.rivera_member, household=pantry.rivera, lines=[wish(1, pantry.rice)]
    )
    services.request_cancel(actor=pantry.rivera_member, request=request, note="found some")
    assert list(request.events.values_list("status", "note")) == [
        ("new", ""),
        ("cancelled", "found some"),
    ]
    with pytest.raises(Refused):
        services.request_cancel(actor=pantry.rivera_member, request=request)
    assert AuditEntry.objects.filter(action="aid.request.created").count() == 1
