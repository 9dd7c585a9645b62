"""Community endpoints of the JSON API: who am I, organizations, members, households, joining."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field, field_validator

from mutua.api import error_responses
from mutua.community import selectors, services
from mutua.community.models import Member, Organization
from mutua.community.permissions import signed_in
from mutua.community.roles import Allergen, Diet, Role
from mutua.core.errors import NotFound

router = Router(tags=["community"])


class CommunityOut(Schema):
    name: str
    slug: str
    currency_name: str
    currency_code: str


class RoleOut(Schema):
    id: UUID = Field(description="The membership; DELETE /memberships/{id} removes the role.")
    role: Role
    organization: str | None = Field(
        None, description="The organization's short name; null for community-wide roles."
    )


class RoleIn(Schema):
    role: Role
    organization: str | None = Field(None, description="Short name; null for community-wide roles.")


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
    latitude: float | None
    longitude: float | None
    cross_streets: str


class NeedsIn(Schema):
    diets: list[Diet] | None = None
    allergens: list[Allergen] | None = None
    urgent_medical: bool | None = None
    notes: str | None = Field(None, max_length=2000)
    address: str | None = Field(None, max_length=500)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    cross_streets: str | None = Field(None, max_length=120)


class HouseholdIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    size: int = Field(ge=1, le=30)
    needs: NeedsIn | None = Field(None, description="Only coordinators may record needs.")

    @field_validator("needs", mode="before")
    @classmethod
    def _needs_an_object(cls, value: Any) -> Any:
        # ninja's Schema reads fields as attributes, so `[]` would pass for NeedsIn (all optional).
        if value is not None and not isinstance(value, dict):
            raise ValueError("needs must be an object")
        return value


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


class InvitationListOut(Schema):
    id: UUID
    role: Role
    organization: str | None
    email: str
    status: str = Field(description="open, used, withdrawn or expired")
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
        {
            "id": m.id,
            "role": m.role,
            "organization": m.organization.slug if m.organization else None,
        }
        for m in member.memberships.all()
    ]


def _organization(viewer: Member, slug: str | None) -> Organization | None:
    if not slug:
        return None
    organization = Organization.objects.filter(community_id=viewer.tenant_id, slug=slug).first()
    if organization is None:
        raise NotFound(_("No organization with that short name."))
    return organization


@router.get("/me", response={200: MeOut, **error_responses(401)}, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    member = signed_in(request)
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
    return selectors.organization_list(viewer=signed_in(request))


@router.get("/members", response={200: list[MemberOut], **error_responses(401, 403)})
def members(request: HttpRequest) -> Any:
    return [
        {"handle": m.handle, "display_name": m.display_name, "roles": _roles(m)}
        for m in selectors.member_list(viewer=signed_in(request))
    ]


@router.get("/households", response={200: list[HouseholdOut], **error_responses(401, 403)})
def households(request: HttpRequest) -> Any:
    return selectors.household_list(viewer=signed_in(request))


def _needs_out(needs: Any) -> dict[str, Any]:
    return {"household": needs.household_id, **needs.details()}


@router.get(
    "/households/{household_id}/needs",
    response={200: NeedsOut, **error_responses(401, 403, 404, 422)},
    summary="A household's private needs (audit-logged)",
)
def household_needs(request: HttpRequest, household_id: UUID) -> Any:
    viewer = signed_in(request)
    household = selectors.household_get(viewer=viewer, household_id=household_id)
    return _needs_out(selectors.household_needs_get(viewer=viewer, household=household))


@router.put(
    "/households/{household_id}/needs",
    response={200: NeedsOut, **error_responses(400, 401, 403, 404, 422)},
)
def household_needs_update(request: HttpRequest, household_id: UUID, body: NeedsIn) -> Any:
    viewer = signed_in(request)
    household = selectors.household_get(viewer=viewer, household_id=household_id)
    needs = services.household_needs_update(actor=viewer, household=household, **body.dict())
    return _needs_out(needs)


@router.post(
    "/invitations", response={201: InvitationOut, **error_responses(400, 401, 403, 404, 422)}
)
def invitation_create(request: HttpRequest, body: InvitationIn) -> Any:
    actor = request.user
    assert isinstance(actor, Member)
    organization = _organization(actor, body.organization)
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
    return [_join_request_out(jr) for jr in selectors.join_request_list(viewer=signed_in(request))]


@router.post(
    "/join-requests/{join_request_id}/decision",
    response={200: JoinRequestOut, **error_responses(400, 401, 403, 404, 409, 422)},
)
def join_request_decide(request: HttpRequest, join_request_id: UUID, body: DecisionIn) -> Any:
    viewer = signed_in(request)
    join_request = selectors.join_request_get(viewer=viewer, join_request_id=join_request_id)
    jr = services.join_request_decide(actor=viewer, join_request=join_request, approve=body.approve)
    return _join_request_out(jr)


@router.get("/members/{handle}", response={200: MemberOut, **error_responses(401, 403, 404)})
def member_get(request: HttpRequest, handle: str) -> Any:
    member = selectors.member_get(viewer=signed_in(request), handle=handle)
    return {"handle": member.handle, "display_name": member.display_name, "roles": _roles(member)}


@router.post(
    "/members/{handle}/roles",
    response={201: RoleOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Give a member a role (admins)",
)
def member_role_grant(request: HttpRequest, handle: str, body: RoleIn) -> Any:
    viewer = signed_in(request)
    member = selectors.member_get(viewer=viewer, handle=handle)
    organization = _organization(viewer, body.organization)
    membership = services.membership_grant(
        actor=viewer, member=member, role=body.role, organization=organization
    )
    return 201, {
        "id": membership.id,
        "role": membership.role,
        "organization": organization.slug if organization else None,
    }


@router.delete(
    "/memberships/{membership_id}",
    response={204: None, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Remove a role (admins)",
)
def membership_revoke(request: HttpRequest, membership_id: UUID) -> Any:
    viewer = signed_in(request)
    membership = selectors.membership_get(viewer=viewer, membership_id=membership_id)
    services.membership_revoke(actor=viewer, membership=membership)
    return 204, None


@router.post(
    "/households",
    response={201: HouseholdOut, **error_responses(400, 401, 403, 422)},
    summary="Add a household (coordinators, admins)",
)
def household_create(request: HttpRequest, body: HouseholdIn) -> Any:
    viewer = signed_in(request)
    needs = body.needs.dict(exclude_none=True) if body.needs is not None else None
    household = services.household_create(
        community=viewer.tenant,
        name=body.name,
        size=body.size,
        actor=viewer,
        needs=needs or None,
    )
    return 201, household


def _invitation_status(invitation: Any) -> str:
    if invitation.accepted_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "withdrawn"
    return "expired" if invitation.expires_at <= timezone.now() else "open"


@router.get("/invitations", response={200: list[InvitationListOut], **error_responses(401, 403)})
def invitation_list(request: HttpRequest) -> Any:
    return [
        {
            "id": i.id,
            "role": i.role,
            "organization": i.organization.slug if i.organization else None,
            "email": i.email,
            "status": _invitation_status(i),
            "expires_at": i.expires_at,
        }
        for i in selectors.invitation_list(viewer=signed_in(request))[:200]
    ]


@router.delete(
    "/invitations/{invitation_id}",
    response={204: None, **error_responses(401, 403, 404, 409, 422)},
    summary="Withdraw an unused invitation",
)
def invitation_revoke(request: HttpRequest, invitation_id: UUID) -> Any:
    viewer = signed_in(request)
    invitation = selectors.invitation_get(viewer=viewer, invitation_id=invitation_id)
    services.invitation_revoke(actor=viewer, invitation=invitation)
    return 204, None
