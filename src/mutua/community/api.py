"""Community endpoints of the JSON API: who am I, organizations, members, households, joining."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from mutua.api import error_responses
from mutua.community import selectors, services
from mutua.community.models import Member, Organization
from mutua.community.roles import Allergen, Diet, Role
from mutua.core.errors import NotFound

router = Router(tags=["community"])


class CommunityOut(Schema):
    name: str
    slug: str
    currency_name: str
    currency_code: str


class RoleOut(Schema):
    role: Role
    organization: str | None = Field(
        None, description="The organization's short name; null for community-wide roles."
    )


class MeOut(Schema):
    handle: str
    display_name: str
    email: str
    preferred_language: str
    community: CommunityOut
    roles: list[RoleOut]


class OrganizationOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    people: int


class MemberOut(Schema):
    handle: str
    display_name: str
    roles: list[RoleOut]


class HouseholdOut(Schema):
    id: UUID
    name: str
    size: int


class NeedsOut(Schema):
    household: UUID
    diets: list[Diet]
    allergens: list[Allergen]
    urgent_medical: bool
    notes: str
    address: str


class NeedsIn(Schema):
    diets: list[Diet] | None = None
    allergens: list[Allergen] | None = None
    urgent_medical: bool | None = None
    notes: str | None = Field(None, max_length=2000)
    address: str | None = Field(None, max_length=500)


class InvitationIn(Schema):
    role: Role = Role.MEMBER
    organization: str | None = Field(
        None, description="Short name of the organization the role is held in."
    )
    email: str = Field("", max_length=254)
    note: str = Field("", max_length=200)
    days_valid: int = Field(14, ge=1, le=90)


class InvitationOut(Schema):
    id: UUID
    url: str
    role: Role
    expires_at: datetime


class JoinRequestOut(Schema):
    id: UUID
    handle: str
    display_name: str
    message: str
    status: str
    created_at: datetime


class DecisionIn(Schema):
    approve: bool


def _roles(member: Member) -> list[dict[str, Any]]:
    return [
        {"role": m.role, "organization": m.organization.slug if m.organization else None}
        for m in member.memberships.all()
    ]


@router.get("/me", response={200: MeOut, **error_responses(401)}, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    member = request.user
    assert isinstance(member, Member)
    if member.community is None:
        raise NotFound(_("Platform operator accounts belong to no community."))
    return {
        "handle": member.handle,
        "display_name": member.display_name,
        "email": member.email,
        "preferred_language": member.preferred_language,
        "community": member.community,
        "roles": _roles(member),
    }


@router.get("/organizations", response={200: list[OrganizationOut], **error_responses(401, 403)})
def organizations(request: HttpRequest) -> Any:
    return selectors.organization_list(viewer=request.user)  # type: ignore[arg-type]


@router.get("/members", response={200: list[MemberOut], **error_responses(401, 403)})
def members(request: HttpRequest) -> Any:
    return [
        {"handle": m.handle, "display_name": m.display_name, "roles": _roles(m)}
        for m in selectors.member_list(viewer=request.user)  # type: ignore[arg-type]
    ]


@router.get("/households", response={200: list[HouseholdOut], **error_responses(401, 403)})
def households(request: HttpRequest) -> Any:
    return selectors.household_list(viewer=request.user)  # type: ignore[arg-type]


def _needs_out(needs: Any) -> dict[str, Any]:
    return {
        "household": needs.household_id,
        "diets": needs.diets,
        "allergens": needs.allergens,
        "urgent_medical": needs.urgent_medical,
        "notes": needs.notes,
        "address": needs.address,
    }


@router.get(
    "/households/{household_id}/needs",
    response={200: NeedsOut, **error_responses(401, 403, 404)},
    summary="A household's private needs (audit-logged)",
)
def household_needs(request: HttpRequest, household_id: UUID) -> Any:
    viewer = request.user
    household = selectors.household_get(viewer=viewer, household_id=household_id)  # type: ignore[arg-type]
    return _needs_out(selectors.household_needs_get(viewer=viewer, household=household))  # type: ignore[arg-type]


@router.put(
    "/households/{household_id}/needs",
    response={200: NeedsOut, **error_responses(400, 401, 403, 404, 422)},
)
def household_needs_update(request: HttpRequest, household_id: UUID, body: NeedsIn) -> Any:
    viewer = request.user
    household = selectors.household_get(viewer=viewer, household_id=household_id)  # type: ignore[arg-type]
    needs = services.household_needs_update(actor=viewer, household=household, **body.dict())  # type: ignore[arg-type]
    return _needs_out(needs)


@router.post(
    "/invitations", response={201: InvitationOut, **error_responses(400, 401, 403, 404, 422)}
)
def invitation_create(request: HttpRequest, body: InvitationIn) -> Any:
    actor = request.user
    assert isinstance(actor, Member)
    organization = None
    if body.organization:
        organization = Organization.objects.filter(
            community_id=actor.tenant_id, slug=body.organization
        ).first()
        if organization is None:
            raise NotFound(_("No organization with that short name."))
    invitation, secret = services.invitation_create(
        actor=actor,
        role=body.role,
        organization=organization,
        email=body.email,
        note=body.note,
        days_valid=body.days_valid,
    )
    url = request.build_absolute_uri(f"/join/{secret}/")
    return 201, {
        "id": invitation.id,
        "url": url,
        "role": invitation.role,
        "expires_at": invitation.expires_at,
    }


def _join_request_out(jr: Any) -> dict[str, Any]:
    return {
        "id": jr.id,
        "handle": jr.member.handle,
        "display_name": jr.member.display_name,
        "message": jr.message,
        "status": jr.status,
        "created_at": jr.created_at,
    }


@router.get("/join-requests", response={200: list[JoinRequestOut], **error_responses(401, 403)})
def join_requests(request: HttpRequest) -> Any:
    return [_join_request_out(jr) for jr in selectors.join_request_list(viewer=request.user)]  # type: ignore[arg-type]


@router.post(
    "/join-requests/{join_request_id}/decision",
    response={200: JoinRequestOut, **error_responses(400, 401, 403, 404, 409, 422)},
)
def join_request_decide(request: HttpRequest, join_request_id: UUID, body: DecisionIn) -> Any:
    viewer = request.user
    join_request = selectors.join_request_get(viewer=viewer, join_request_id=join_request_id)  # type: ignore[arg-type]
    jr = services.join_request_decide(actor=viewer, join_request=join_request, approve=body.approve)  # type: ignore[arg-type]
    return _join_request_out(jr)
