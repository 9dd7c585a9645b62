"""Reads of the community app, always through the viewer: each checks `permissions` first.

Lists are single queries (related rows joined or prefetched), so a page of 40 households costs the
same number of queries as a page of 4. `household_needs_get` is the only way to read private needs;
it writes an audit entry on every call, including a household reading its own.
"""

from typing import Any
from uuid import UUID

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from mutua.community.models import (
    ApiToken,
    Household,
    HouseholdNeeds,
    Invitation,
    JoinRequest,
    Member,
    Membership,
    Organization,
)
from mutua.community.permissions import require
from mutua.core.errors import NotFound
from mutua.core.services import audit_record


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        obj = queryset.filter(pk=pk).first()
    except (ValueError, TypeError):
        obj = None
    if obj is None:
        raise NotFound(_("Not found."))
    return obj


def organization_list(*, viewer: Member) -> QuerySet[Organization]:
    require(viewer, "organization.list")
    return Organization.objects.filter(community_id=viewer.tenant_id).annotate(
        people=Count("memberships__member", distinct=True)
    )


def member_list(*, viewer: Member) -> QuerySet[Member]:
    require(viewer, "member.list")
    return (
        Member.objects.filter(community_id=viewer.tenant_id, is_active=True)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organization"))
        )
        .order_by("display_name")
    )


def member_get(*, viewer: Member, handle: str) -> Member:
    member = member_list(viewer=viewer).filter(handle__iexact=handle).first()
    if member is None:
        raise NotFound(_("Not found."))
    return member


def household_list(*, viewer: Member) -> QuerySet[Household]:
    require(viewer, "household.list")
    return Household.objects.filter(community_id=viewer.tenant_id).annotate(
        accounts=Count("members")
    )


def household_get(*, viewer: Member, household_id: UUID | str) -> Household:
    """A household, for someone who may list households or who lives in it."""
    household = _get(Household.objects.filter(community_id=viewer.tenant_id), household_id)
    if viewer.household_id != household.pk:
        require(viewer, "household.list", household)
    return household


def household_needs_get(*, viewer: Member, household: Household) -> HouseholdNeeds:
    """A household's private needs: checks the role, then logs `...household.needs_viewed`."""
    require(viewer, "household.view_needs", household)
    needs = HouseholdNeeds.objects.get(household=household)
    audit_record(action="community.household.needs_viewed", actor=viewer, obj=household)
    return needs


def join_request_list(*, viewer: Member, pending_only: bool = True) -> QuerySet[JoinRequest]:
    require(viewer, "join_request.decide", viewer.community)
    requests = JoinRequest.objects.filter(community_id=viewer.tenant_id).select_related("member")
    return requests.filter(status=JoinRequest.Status.PENDING) if pending_only else requests


def join_request_get(*, viewer: Member, join_request_id: UUID | str) -> JoinRequest:
    require(viewer, "join_request.decide", viewer.community)
    return _get(join_request_list(viewer=viewer, pending_only=False), join_request_id)


def invitation_list(*, viewer: Member) -> QuerySet[Invitation]:
    require(viewer, "invitation.create", viewer.community)
    return Invitation.objects.filter(community_id=viewer.tenant_id).select_related(
        "organization", "accepted_by", "created_by"
    )


def api_token_list(*, member: Member) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(member=member, revoked_at__isnull=True)


def membership_get(*, viewer: Member, membership_id: UUID | str) -> Membership:
    require(viewer, "member.manage_roles", viewer.community)
    return _get(
        Membership.objects.filter(community_id=viewer.tenant_id).select_related("member"),
        membership_id,
    )


def invitation_get(*, viewer: Member, invitation_id: UUID | str) -> Invitation:
    return _get(invitation_list(viewer=viewer), invitation_id)
