"""Writing requests and offers: a household asks (itself, or through a volunteer on the phone), a
request moves through its states, and every move is an append-only `RequestEvent`.

A request carries the household's size and urgency as they were when it was made (so a run can be
explained later); its allergens and diets stay in the household's private profile and are read,
audit-logged, only when a coordinator runs an allocation. The urgency flag is copied by this
service without being shown to whoever takes the request: a volunteer on the phone learns nothing
private by taking it.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.access import aid_may, aid_require
from mutua.aid.models import (
    REQUEST_MOVES,
    AidRequest,
    BoxLine,
    Fulfilment,
    Item,
    Offer,
    OfferKind,
    RequestEvent,
    RequestLine,
    RequestStatus,
    Urgency,
)
from mutua.community.models import Household, HouseholdNeeds, Member
from mutua.core.errors import MutuaError, NotFound, Refused, problems_raise
from mutua.core.numbering import number_next
from mutua.core.services import audit_record

MAX_LINES = 40


@dataclass(frozen=True)
class LineWish:
    """One line of a request: `quantity` units of an item, or of any item in a category."""

    quantity: int
    item: Item | None = None
    category: str = ""


def box_lines(*, community_id: Any, household_size: int) -> list[LineWish]:
    """The standard box for a household of this size: per-person amounts, rounded up."""
    wishes = []
    for line in BoxLine.objects.filter(community_id=community_id).select_related("item"):
        quantity = max(line.minimum, math.ceil(line.per_person * household_size))
        wishes.append(LineWish(quantity=quantity, item=line.item, category=line.category))
    return wishes


def _may_ask_for(actor: Member, household: Household) -> bool:
    return actor.household_id == household.pk or aid_may(actor, "aid.request.create_for", household)


def _line_problems(lines: list[LineWish]) -> list[str]:
    problems = []
    if not lines:
        problems.append(_("Ask for at least one thing, or for the standard box."))
    if len(lines) > MAX_LINES:
        problems.append(_("At most %(n)s lines in one request.") % {"n": MAX_LINES})
    for number, line in enumerate(lines, start=1):
        if (line.item is None) == (not line.category):
            problems.append(_("Line %(n)s: choose an item or a category.") % {"n": number})
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            problems.append(_("Line %(n)s: the quantity is a whole number.") % {"n": number})
        elif line.quantity <= 0:
            problems.append(_("Line %(n)s: ask for at least one unit.") % {"n": number})
    return problems


@transaction.atomic
def request_create(
    *,
    actor: Member,
    household: Household,
    lines: list[LineWish] | None = None,
    box: bool = False,
    fulfilment: str = Fulfilment.PICK_UP,
    note: str = "",
    now: datetime | None = None,
) -> AidRequest:
    """A household's request: `lines`, or the standard box (`box=True`), or both."""
    if household.community_id != actor.community_id:
        raise NotFound(_("Not found."))
    if not _may_ask_for(actor, household):
        aid_require(actor, "aid.request.create_for", household)
    wishes = list(lines or [])
    if box:
        boxed = box_lines(community_id=household.community_id, household_size=household.size)
        if not boxed:
            raise Refused(_("The standard box is not set up yet."), code="no_box")
        wishes += boxed
    problems = _line_problems(wishes)
    if fulfilment not in Fulfilment.values:
        problems.append(_("Choose pick-up or delivery."))
    if problems:
        raise MutuaError(problems[0], code="invalid_request", fields={"lines": problems})
    needs = HouseholdNeeds.objects.filter(household=household).first()
    number = number_next(AidRequest, community_id=household.community_id)
    request = AidRequest.objects.create(
        community_id=household.community_id,
        number=number,
        household=household,
        household_size=household.size,
        urgency=Urgency.URGENT_MEDICAL if needs and needs.urgent_medical else Urgency.NORMAL,
        fulfilment=fulfilment,
        note=note[:300],
        created_by=actor,
        by_phone=actor.household_id != household.pk,
        created_at=now or timezone.now(),
    )
    RequestLine.objects.bulk_create(
        RequestLine(request=request, item=w.item, category=w.category, quantity=w.quantity)
        for w in wishes
    )
    # The note stays on the request only: events are append-only, and a note (which may say what
    # someone is ill with) must remain erasable by retention and deletion (`mutua.privacy`).
    RequestEvent.objects.create(
        request=request, status=RequestStatus.NEW, actor=actor, at=request.created_at
    )
    audit_record(action="aid.request.created", actor=actor, obj=request)
    return request


def request_move(
    *,
    request: AidRequest,
    status: str,
    actor: Member | None,
    note: str = "",
    now: datetime | None = None,
) -> AidRequest:
    """Move a locked request to `status` (the caller holds the transaction and checked the role)."""
    if status not in REQUEST_MOVES.get(request.status, frozenset()):
        raise Refused(
            _("Request %(n)s is %(now)s; it cannot become %(then)s.")
            % {
                "n": request.number,
                "now": RequestStatus(request.status).label.lower(),
                "then": RequestStatus(status).label.lower(),
            },
            code="invalid_status",
        )
    request.status = status
    request.save(update_fields=["status"])
    RequestEvent.objects.create(
        request=request, status=status, actor=actor, note=note[:300], at=now or timezone.now()
    )
    return request


@transaction.atomic
def request_cancel(*, actor: Member, request: AidRequest, note: str = "") -> AidRequest:
    """The household (or a coordinator) withdraws a request that nothing was packed for yet."""
    locked = AidRequest.objects.select_for_update().get(pk=request.pk)
    if actor.household_id != locked.household_id:
        aid_require(actor, "aid.allocate", locked)
    if locked.status != RequestStatus.NEW:
        raise Refused(
            _("Only a new request can be cancelled; ask a coordinator to return what was packed."),
            code="invalid_status",
        )
    return request_move(request=locked, status=RequestStatus.CANCELLED, actor=actor, note=note)


@transaction.atomic
def offer_create(*, actor: Member, kind: str, description: str) -> Offer:
    """Someone offers goods or time; coordinators see the open offers."""
    aid_require(actor, "aid.offer.create", actor.community)
    problems = {}
    if kind not in OfferKind.values:
        problems["kind"] = [_("Offer goods or time.")]
    if not description.strip():
        problems["description"] = [_("Say what you offer.")]
    problems_raise(problems, "invalid_offer")
    return Offer.objects.create(
        community_id=actor.tenant_id, member=actor, kind=kind, description=description.strip()
    )


@transaction.atomic
def offer_close(*, actor: Member, offer: Offer) -> Offer:
    if offer.member_id != actor.pk:
        aid_require(actor, "aid.allocate", offer)
    offer.open = False
    offer.save(update_fields=["open"])
    return offer


# --- forgetting (the privacy app's retention and deletions) --------------------------------------


@transaction.atomic
def request_notes_forget(*, request_ids: list[Any], dry_run: bool = False) -> int:
    """Blank the notes of these requests (they may say what someone is ill with); how many had
    one. The requests themselves stay: they are the pantry's history and its report's figures."""
    noted = AidRequest.objects.filter(pk__in=request_ids).exclude(note="")
    return noted.count() if dry_run else noted.update(note="")


@transaction.atomic
def offers_forget(*, member: Member) -> int:
    """Close a departing member's offers and blank what they said; how many there were."""
    return (
        Offer.objects.filter(member=member)
        .exclude(description="", open=False)
        .update(description="", open=False)
    )
