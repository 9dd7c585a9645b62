"""Reads of the privacy app: deletion requests, and what stands in the way of one.

`deletion_blockers` returns every reason at once (as beancount's validators do), so a member
learns in one answer all they must settle first. Each reason protects something that cannot be
left with a person who no longer exists: money (a balance, a hold, an order paid by a hold), an
asset (an edition they hold), a promise to them (an open aid request, a plot, a workshop seat), or
the community itself (its last admin).
"""

from typing import NamedTuple
from uuid import UUID

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from mutua.aid.models import AidRequest
from mutua.art.models import Edition
from mutua.community.models import Member, Membership
from mutua.community.permissions import require
from mutua.community.roles import Role
from mutua.coop.models import Order, OrderStatus
from mutua.core.errors import NotFound
from mutua.gardens.models import LIVE as LIVE_PLOTS
from mutua.gardens.models import Assignment
from mutua.learning.models import LIVE as LIVE_SEATS
from mutua.learning.models import Registration
from mutua.ledger.models import Account
from mutua.privacy.models import DeletionRequest, DeletionStatus
from mutua.privacy.retention import CLOSED


class Blocker(NamedTuple):
    code: str
    message: str


def _money_blockers(member: Member) -> list[Blocker]:
    found = []
    accounts = Account.objects.filter(member=member)
    if accounts.exclude(credits_posted=F("debits_posted")).exists():
        found.append(
            Blocker(
                "balance_not_zero",
                _("Your wallet holds money (or owes it): exchange it out or pay it back first."),
            )
        )
    if accounts.filter(Q(debits_pending__gt=0) | Q(credits_pending__gt=0)).exists():
        found.append(Blocker("pending_transfers", _("A payment to or from you is still on hold.")))
    if Order.objects.filter(buyer=member, status=OrderStatus.PLACED).exists():
        found.append(Blocker("open_orders", _("Pick up or cancel your co-op orders first.")))
    if Edition.objects.filter(holder=member).exists():
        found.append(Blocker("editions_held", _("Sell the art editions you hold first.")))
    return found


def _promise_blockers(member: Member) -> list[Blocker]:
    found = []
    household = member.household
    alone = household is not None and not household.members.exclude(pk=member.pk).exists()
    if alone and AidRequest.objects.filter(household=household).exclude(status__in=CLOSED).exists():
        found.append(
            Blocker("open_aid_requests", _("Your household has an aid request still open."))
        )
    if Assignment.objects.filter(member=member, status__in=LIVE_PLOTS).exists():
        found.append(Blocker("garden_plot", _("Return your garden plot (or its offer) first.")))
    if Registration.objects.filter(member=member, status__in=LIVE_SEATS).exists():
        found.append(Blocker("workshop_seats", _("Cancel your workshop registrations first.")))
    admins = Membership.objects.filter(community_id=member.tenant_id, role=Role.ADMIN)
    if admins.filter(member=member).exists() and not admins.exclude(member=member).exists():
        found.append(
            Blocker("last_admin", _("You are the last admin: give the role to someone first."))
        )
    return found


def deletion_blockers(member: Member) -> list[Blocker]:
    """Every reason this member cannot be forgotten yet; empty when nothing stands in the way."""
    return _money_blockers(member) + _promise_blockers(member)


def deletion_request_pending(member: Member) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(member=member, status=DeletionStatus.PENDING).first()


def deletion_request_list(
    *, viewer: Member, pending_only: bool = True
) -> QuerySet[DeletionRequest]:
    """Deletion requests of the viewer's community, for its admins."""
    require(viewer, "privacy.deletion.decide", viewer.tenant)
    found = DeletionRequest.objects.filter(community_id=viewer.tenant_id).select_related("member")
    return found.filter(status=DeletionStatus.PENDING) if pending_only else found


def deletion_request_get(*, viewer: Member, request_id: UUID | str) -> DeletionRequest:
    """One request of the viewer's community (404 for another's), for its admins."""
    found = DeletionRequest.objects.filter(community_id=viewer.tenant_id, pk=request_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    require(viewer, "privacy.deletion.decide", found)
    return found
