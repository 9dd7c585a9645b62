"""Everything Mutua holds about one member, as one JSON document they can download.

`member_export` only ever describes its `member` argument, and the pages and the API only ever
pass the signed-in member: there is no parameter naming someone else. It reads every app:

- profile, roles, API tokens (name, prefix and dates; never the hash), deletion requests;
- their household (name, size, how many people) and its needs, read through
  `community.selectors.household_needs_get`, which logs the view like any other;
- the household's aid requests with their lines, history and delivery stops (when and where,
  never who drove), the member's offers, shifts and hours;
- their ledger accounts and every transfer in or out (with the other account's name, as their
  statement shows it), and payment requests they sent or received;
- co-op orders and their lines, vouchers they hold (with the aid group's reason), referrals;
- plot applications, plots, work-day tasks, harvests they grew;
- workshop registrations and attendance;
- their artist's profile and works, editions they hold or first bought, sales they were part of,
  hand-offs they gave or took;
- the audit entries about them, their household or its requests: who viewed or changed their
  private data, and when.

Other people appear only as what the member already sees on their own pages (the other side of
a transfer, who viewed their needs); another household's needs never do. Each export writes
`privacy.export.downloaded` to the audit log.
"""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from mutua.aid.models import AidRequest, DeliveryStop, HoursLog, Offer, RequestEvent, RequestLine
from mutua.aid.models import ShiftSignup as AidShiftSignup
from mutua.art.models import ArtistProfile, Artwork, Edition, Handoff, Sale
from mutua.community import selectors as community_selectors
from mutua.community.models import ApiToken, Household, Member
from mutua.coop.models import Order, OrderLine, Referral, Voucher
from mutua.core.models import AuditEntry
from mutua.core.services import audit_record
from mutua.currency.models import PaymentRequest
from mutua.gardens.models import Application, Assignment, Harvest, TaskSignup
from mutua.learning.models import Attendance, Registration
from mutua.ledger.models import Account, Transfer
from mutua.privacy.models import DeletionRequest

FORMAT = "mutua-member-export/1"


def _rows(queryset: QuerySet[Any], *fields: str) -> list[dict[str, Any]]:
    return list(queryset.values(*fields))


def _profile(member: Member) -> dict[str, Any]:
    return {
        "handle": member.handle,
        "display_name": member.display_name,
        "email": member.email,
        "phone": member.phone,
        "preferred_language": member.preferred_language,
        "date_joined": member.date_joined,
        "last_login": member.last_login,
        "community": member.tenant.slug,
        "roles": _rows(member.memberships.all(), "role", "organization__name", "created_at"),
        "api_tokens": _rows(
            ApiToken.objects.filter(member=member),
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
        ),
        "deletion_requests": _rows(
            DeletionRequest.objects.filter(member=member), "status", "requested_at", "decided_at"
        ),
    }


def _household(member: Member) -> dict[str, Any] | None:
    household = member.household
    if household is None:
        return None
    needs = community_selectors.household_needs_get(viewer=member, household=household)
    return {
        "name": household.name,
        "size": household.size,
        "people_with_an_account": household.members.count(),
        "needs": {**needs.details(), "updated_at": needs.updated_at},
    }


def _aid(member: Member) -> dict[str, Any]:
    requests = (
        AidRequest.objects.filter(household=member.household)
        if member.household is not None
        else AidRequest.objects.none()
    )
    return {
        "requests": [
            {
                **request,
                "lines": _rows(
                    RequestLine.objects.filter(request_id=request["id"]),
                    "item__name",
                    "category",
                    "quantity",
                ),
                "history": _rows(
                    RequestEvent.objects.filter(request_id=request["id"]), "status", "note", "at"
                ),
                "deliveries": _rows(
                    DeliveryStop.objects.filter(request_id=request["id"]),
                    "route__day",
                    "arrival",
                    "cross_streets",
                    "delivered_at",
                ),
            }
            for request in _rows(
                requests,
                "id",
                "number",
                "status",
                "urgency",
                "fulfilment",
                "note",
                "by_phone",
                "created_at",
            )
        ],
        "offers": _rows(Offer.objects.filter(member=member), "kind", "description", "open"),
        "shifts": _rows(
            AidShiftSignup.objects.filter(member=member), "shift__kind", "shift__starts_at"
        ),
        "hours": _rows(HoursLog.objects.filter(member=member), "kind", "day", "minutes", "note"),
    }


def _transfers(account: Account) -> list[dict[str, Any]]:
    out = []
    moves = Transfer.objects.filter(Q(debit_account=account) | Q(credit_account=account))
    for t in moves.select_related("debit_account", "credit_account").order_by("created_at"):
        outgoing = t.debit_account_id == account.pk
        other = t.credit_account if outgoing else t.debit_account
        out.append(
            {
                "id": t.id,
                "at": t.created_at,
                "direction": "out" if outgoing else "in",
                "amount": t.amount,
                "kind": t.kind,
                "reason": t.code,
                "memo": t.memo,
                "other_account": other.name,
            }
        )
    return out


def _money(member: Member) -> dict[str, Any]:
    accounts = Account.objects.filter(member=member).select_related("ledger")
    return {
        "accounts": [
            {
                "code": a.code,
                "name": a.name,
                "currency": a.ledger.code,
                "balance": a.balance_posted,
                "on_hold": a.debits_pending,
                "credit_limit": a.credit_limit,
                "transfers": _transfers(a),
            }
            for a in accounts
        ],
        "payment_requests": _rows(
            PaymentRequest.objects.filter(Q(requester=member) | Q(payer=member)),
            "requester__handle",
            "payer__handle",
            "amount",
            "memo",
            "status",
            "created_at",
            "answered_at",
        ),
    }


def _coop(member: Member) -> dict[str, Any]:
    orders = Order.objects.filter(buyer=member)
    return {
        "orders": [
            {
                **order,
                "lines": _rows(
                    OrderLine.objects.filter(order_id=order["id"]),
                    "offer__product__name",
                    "quantity",
                    "price",
                    "delivered",
                ),
            }
            for order in _rows(
                orders, "id", "cycle__name", "number", "status", "total", "paid", "placed_at"
            )
        ],
        "vouchers": _rows(
            Voucher.objects.filter(holder=member),
            "code",
            "organization__name",
            "amount",
            "remaining",
            "reason",
        ),
        "referrals": _rows(
            Referral.objects.filter(member=member), "discount_bps", "starts_at", "ends_at"
        ),
    }


def _gardens(member: Member) -> dict[str, Any]:
    return {
        "applications": _rows(
            Application.objects.filter(member=member),
            "garden__organization__name",
            "season__name",
            "status",
            "note",
            "created_at",
        ),
        "plots": _rows(
            Assignment.objects.filter(member=member),
            "plot__garden__organization__name",
            "plot__label",
            "season__name",
            "status",
            "fee",
        ),
        "tasks": _rows(TaskSignup.objects.filter(member=member), "task__title", "created_at"),
        "harvests": _rows(
            Harvest.objects.filter(grower=member), "crop__name", "weight_g", "day", "donated"
        ),
    }


def _learning(member: Member) -> dict[str, Any]:
    return {
        "registrations": _rows(
            Registration.objects.filter(member=member),
            "session__program__title",
            "session__starts_at",
            "seats",
            "note",
            "status",
            "created_at",
        ),
        "attendance": _rows(
            Attendance.objects.filter(member=member),
            "session__program__title",
            "seats",
            "checked_in_at",
        ),
    }


def _art(member: Member) -> dict[str, Any]:
    profile = ArtistProfile.objects.filter(member=member).first()
    return {
        "artist_statement": profile.statement if profile else None,
        "artworks": _rows(
            Artwork.objects.filter(artist=member), "id", "title", "maker", "made", "published_at"
        ),
        "editions": _rows(
            Edition.objects.filter(Q(holder=member) | Q(original_investor=member)),
            "artwork__title",
            "number",
            "token_id",
        ),
        "sales": _rows(
            Sale.objects.filter(Q(seller=member) | Q(buyer=member)),
            "edition__artwork__title",
            "edition__number",
            "kind",
            "price",
            "at",
        ),
        "handoffs": _rows(
            Handoff.objects.filter(Q(released_by=member) | Q(received_by=member)),
            "artwork__title",
            "place",
            "at",
            "condition",
        ),
    }


def _about(member: Member, household: Household | None) -> list[dict[str, Any]]:
    """Audit entries whose object is the member, their household or one of its requests."""
    objects = [str(member.pk)]
    if household is not None:
        objects.append(str(household.pk))
        objects += [str(pk) for pk in household.aid_requests.values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(community_id=member.community_id, object_id__in=objects)
    return _rows(entries.order_by("created_at"), "created_at", "action", "actor_label", "data")


def member_export(*, member: Member, now: datetime | None = None) -> dict[str, Any]:
    """All data held about `member`; logs the export."""
    now = now or timezone.now()
    document = {
        "format": FORMAT,
        "exported_at": now,
        "profile": _profile(member),
        "household": _household(member),
        "aid": _aid(member),
        "money": _money(member),
        "coop": _coop(member),
        "gardens": _gardens(member),
        "learning": _learning(member),
        "art": _art(member),
        "audit": _about(member, member.household),
    }
    audit_record(action="privacy.export.downloaded", actor=member, obj=member, now=now)
    return document
