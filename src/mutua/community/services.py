"""Writes of the community app: each function is one atomic operation that writes its audit entry.

Errors (from `mutua.core.errors`): `MutuaError` with a field map for bad input, `Conflict` for a
taken handle or a used invitation, `Gone` for an expired or revoked invitation, and
`Forbidden`/`NotFound` from `permissions.require`.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import (
    ApiToken,
    Community,
    Household,
    HouseholdNeeds,
    Invitation,
    JoinRequest,
    Member,
    Membership,
    Organization,
    handle_validator,
)
from mutua.community.permissions import forget_roles, require
from mutua.community.roles import Allergen, Diet, OrganizationKind, Role, role_fits
from mutua.core.errors import Conflict, Gone, MutuaError, NotFound
from mutua.core.services import audit_record
from mutua.core.tenancy import scopes_disabled

INVITATION_DAYS = 14
TOKEN_PREFIX = "mutua_"  # noqa: S105 (a prefix that makes leaked tokens easy to scan for)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


# --- communities and organizations ---------------------------------------------------------------


@transaction.atomic
def community_create(
    *, name: str, slug: str, currency_name: str, currency_code: str, default_language: str = "en"
) -> Community:
    if Community.objects.filter(slug=slug).exists():
        raise Conflict(_("A community with that short name already exists."), code="slug_taken")
    community = Community.objects.create(
        name=name,
        slug=slug,
        currency_name=currency_name,
        currency_code=currency_code,
        default_language=default_language,
    )
    audit_record(action="community.community.created", community_id=community.id, obj=community)
    return community


@transaction.atomic
def organization_create(
    *,
    community: Community,
    kind: OrganizationKind,
    name: str,
    slug: str,
    description: str = "",
    actor: Member | None = None,
) -> Organization:
    if Organization.objects.filter(community=community, slug=slug).exists():
        raise Conflict(_("An organization with that short name already exists."), code="slug_taken")
    organization = Organization.objects.create(
        community=community, kind=kind, name=name, slug=slug, description=description
    )
    audit_record(action="community.organization.created", actor=actor, obj=organization)
    return organization


# --- members -------------------------------------------------------------------------------------


def _member_problems(
    *, handle: str, display_name: str, email: str, password: str | None
) -> tuple[dict[str, list[str]], bool]:
    """Every problem with a new member's details at once, and whether the handle is taken."""
    problems: dict[str, list[str]] = {}
    taken = False
    try:
        handle_validator(handle)
    except ValidationError as error:
        problems["handle"] = [str(m) for m in error.messages]
    else:
        taken = Member.objects.filter(handle__iexact=handle).exists()
        if taken:
            problems["handle"] = [_("That handle is already taken. Please choose another.")]
    if not display_name.strip():
        problems["display_name"] = [_("Please give a name other members will see.")]
    if password is not None:
        try:
            validate_password(
                password, Member(handle=handle, display_name=display_name, email=email)
            )
        except ValidationError as error:
            problems["password"] = [str(m) for m in error.messages]
    return problems, taken


def _raise_member_problems(problems: dict[str, list[str]], *, handle_taken: bool) -> None:
    if not problems:
        return
    if handle_taken and set(problems) == {"handle"}:
        raise Conflict(problems["handle"][0], code="handle_taken", fields=problems)
    raise MutuaError(
        _("Please correct the highlighted details."), code="invalid_member", fields=problems
    )


@transaction.atomic
def member_create(
    *,
    community: Community,
    handle: str,
    display_name: str,
    password: str | None,
    email: str = "",
    phone: str = "",
    preferred_language: str = "",
    household: Household | None = None,
    is_active: bool = True,
    actor: Member | None = None,
) -> Member:
    """Create a member with the community-wide `member` role (`password=None`: cannot sign in)."""
    handle = handle.strip().lower()
    problems, taken = _member_problems(
        handle=handle, display_name=display_name, email=email, password=password
    )
    if household is not None and household.community_id != community.id:
        problems["household"] = [_("That household is in another community.")]
    _raise_member_problems(problems, handle_taken=taken)
    member = Member(
        community=community,
        handle=handle,
        display_name=display_name.strip(),
        email=email,
        phone=phone,
        preferred_language=preferred_language or community.default_language,
        household=household,
        is_active=is_active,
    )
    member.set_password(password)
    member.save(force_insert=True)
    Membership.objects.create(community=community, member=member, role=Role.MEMBER)
    audit_record(action="community.member.created", actor=actor or member, obj=member)
    return member


@transaction.atomic
def membership_grant(
    *, actor: Member | None, member: Member, role: Role, organization: Organization | None = None
) -> Membership:
    """Give `member` a role. `actor=None` only for set-up commands (demo, first admin)."""
    if actor is not None:
        require(actor, "member.manage_roles", member)
    if organization is not None and organization.community_id != member.community_id:
        raise NotFound(_("Not found."))
    kind = OrganizationKind(organization.kind) if organization is not None else None
    if not role_fits(role, kind):
        raise MutuaError(
            _("The role %(role)s cannot be held there.") % {"role": Role(role).label},
            code="role_does_not_fit",
        )
    existing = Membership.objects.filter(
        member=member, role=role, organization=organization
    ).first()
    if existing is not None:
        return existing
    membership = Membership.objects.create(
        community_id=member.tenant_id, member=member, organization=organization, role=role
    )
    forget_roles(member)
    audit_record(
        action="community.membership.granted",
        actor=actor,
        community_id=member.tenant_id,
        obj=membership,
        data={
            "member": member.handle,
            "role": role,
            "organization": str(organization.pk) if organization else None,
        },
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Member, membership: Membership) -> None:
    """Take a role away. Everyone stays a `member`, and a community keeps at least one admin."""
    require(actor, "member.manage_roles", membership)
    if membership.role == Role.MEMBER:
        raise MutuaError(
            _("Everyone in the community is a member; that role cannot be removed."),
            code="cannot_revoke_member",
        )
    if membership.role == Role.ADMIN:
        admins = Membership.objects.select_for_update().filter(
            community_id=membership.community_id, role=Role.ADMIN
        )
        if len(admins) <= 1:
            raise Conflict(
                _("A community needs at least one admin: grant the role to someone else first."),
                code="last_admin",
            )
    member = membership.member
    audit_record(
        action="community.membership.revoked",
        actor=actor,
        obj=membership,
        data={
            "member": member.handle,
            "role": membership.role,
            "organization": str(membership.organization_id) if membership.organization_id else None,
        },
    )
    membership.delete()
    forget_roles(member)


# --- households ----------------------------------------------------------------------------------


def _needs_problems(diets: list[str], allergens: list[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    unknown_diets = sorted(set(diets) - set(Diet.values))
    if unknown_diets:
        problems["diets"] = [_("Unknown diet: %(v)s") % {"v": ", ".join(unknown_diets)}]
    unknown_allergens = sorted(set(allergens) - set(Allergen.values))
    if unknown_allergens:
        problems["allergens"] = [_("Unknown allergen: %(v)s") % {"v": ", ".join(unknown_allergens)}]
    return problems


def coordinates_problems(latitude: float | None, longitude: float | None) -> dict[str, list[str]]:
    """Where a place's coordinates are out of range (None means not given)."""
    problems: dict[str, list[str]] = {}
    if latitude is not None and not -90 <= latitude <= 90:
        problems["latitude"] = [_("A latitude lies between -90 and 90.")]
    if longitude is not None and not -180 <= longitude <= 180:
        problems["longitude"] = [_("A longitude lies between -180 and 180.")]
    return problems


@transaction.atomic
def household_create(
    *,
    community: Community,
    name: str,
    size: int,
    actor: Member | None,
    needs: dict[str, Any] | None = None,
) -> Household:
    """A new household with empty needs; `needs` fills them in, for those who may edit needs."""
    if actor is not None:
        require(actor, "household.create", community)
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = [_("Please give the household a name, e.g. 'Rivera household'.")]
    if size < 1:
        problems["size"] = [_("A household has at least one person.")]
    if problems:
        raise MutuaError(
            _("Please correct the highlighted details."), code="invalid_household", fields=problems
        )
    household = Household.objects.create(community=community, name=name.strip(), size=size)
    HouseholdNeeds.objects.create(household=household, community=community)
    audit_record(action="community.household.created", actor=actor, obj=household)
    if needs:
        household_needs_update(actor=actor, household=household, **needs)
    return household


@transaction.atomic
def household_needs_update(
    *,
    actor: Member | None,
    household: Household,
    diets: list[str] | None = None,
    allergens: list[str] | None = None,
    urgent_medical: bool | None = None,
    notes: str | None = None,
    address: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    cross_streets: str | None = None,
) -> HouseholdNeeds:
    if actor is not None:
        require(actor, "household.edit_needs", household)
    needs = HouseholdNeeds.objects.select_for_update().get(household=household)
    problems = _needs_problems(diets or [], allergens or [])
    problems.update(coordinates_problems(latitude, longitude))
    if problems:
        raise MutuaError(
            _("Please correct the highlighted details."), code="invalid_needs", fields=problems
        )
    changed = []
    for field, value in (
        ("diets", diets),
        ("allergens", allergens),
        ("urgent_medical", urgent_medical),
        ("notes", notes),
        ("address", address),
        ("latitude", latitude),
        ("longitude", longitude),
        ("cross_streets", cross_streets),
    ):
        if value is not None and getattr(needs, field) != value:
            setattr(needs, field, sorted(set(value)) if isinstance(value, list) else value)
            changed.append(field)
    if changed:
        needs.updated_at = timezone.now()
        needs.save()
        # The entry names the fields that changed, never their values: the log copies no data.
        audit_record(
            action="community.household.needs_updated",
            actor=actor,
            obj=household,
            data={"fields": changed},
        )
    return needs


# --- invitations and joining ---------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    actor: Member,
    role: Role = Role.MEMBER,
    organization: Organization | None = None,
    email: str = "",
    note: str = "",
    days_valid: int = INVITATION_DAYS,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Create a single-use invitation; returns it with the secret for the link (shown once)."""
    require(actor, "invitation.create", actor.community)
    if role != Role.MEMBER:
        require(actor, "invitation.grant_role", actor.community)
    if organization is not None and organization.community_id != actor.community_id:
        raise NotFound(_("Not found."))
    kind = OrganizationKind(organization.kind) if organization is not None else None
    if not role_fits(role, kind):
        raise MutuaError(
            _("The role %(role)s cannot be held there.") % {"role": Role(role).label},
            code="role_does_not_fit",
            fields={"role": [_("Choose a role that fits the organization.")]},
        )
    if not 1 <= days_valid <= 90:
        raise MutuaError(
            _("An invitation is valid for 1 to 90 days."),
            code="invalid_invitation",
            fields={"days_valid": [_("An invitation is valid for 1 to 90 days.")]},
        )
    now = now or timezone.now()
    secret = _new_secret()
    invitation = Invitation.objects.create(
        community_id=actor.tenant_id,
        organization=organization,
        role=role,
        email=email,
        note=note,
        token_hash=token_hash(secret),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=days_valid),
    )
    audit_record(
        action="community.invitation.created",
        actor=actor,
        obj=invitation,
        data={"role": role, "organization": str(organization.pk) if organization else None},
    )
    return invitation, secret


def invitation_for_secret(secret: str, *, now: datetime | None = None) -> Invitation:
    """The usable invitation behind a link, or a clear error. Reads across communities by design:
    the link is the credential, and it is checked before any community is known."""
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("community", "organization")
            .filter(token_hash=token_hash(secret))
            .first()
        )
    if invitation is None:
        raise NotFound(
            _("This invitation link is not valid. Please ask for a new one."),
            code="invitation_not_found",
        )
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been used."), code="invitation_used")
    if invitation.revoked_at is not None:
        raise Gone(
            _("This invitation was withdrawn. Please ask for a new one."), code="invitation_revoked"
        )
    if invitation.expires_at <= (now or timezone.now()):
        raise Gone(
            _("This invitation has expired. Please ask for a new one."), code="invitation_expired"
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    secret: str,
    handle: str,
    display_name: str,
    password: str,
    email: str = "",
    preferred_language: str = "",
    now: datetime | None = None,
) -> Member:
    now = now or timezone.now()
    invitation = invitation_for_secret(secret, now=now)
    invitation = Invitation.objects.with_scopes_disabled().select_for_update().get(pk=invitation.pk)  # type: ignore[attr-defined]
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been used."), code="invitation_used")
    member = member_create(
        community=invitation.community,
        handle=handle,
        display_name=display_name,
        password=password,
        email=email or invitation.email,
        preferred_language=preferred_language,
    )
    if invitation.role != Role.MEMBER:
        membership_grant(
            actor=None,
            member=member,
            role=Role(invitation.role),
            organization=invitation.organization,
        )
    invitation.accepted_by = member
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    audit_record(action="community.invitation.accepted", actor=member, obj=invitation)
    return member


@transaction.atomic
def invitation_revoke(
    *, actor: Member, invitation: Invitation, now: datetime | None = None
) -> Invitation:
    """Withdraw an unused invitation so that its link stops working."""
    require(actor, "invitation.create", invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been used."), code="invitation_used")
    if invitation.revoked_at is None:
        invitation.revoked_at = now or timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(action="community.invitation.revoked", actor=actor, obj=invitation)
    return invitation


@transaction.atomic
def join_request_create(
    *,
    community: Community,
    handle: str,
    display_name: str,
    password: str,
    email: str = "",
    message: str = "",
    preferred_language: str = "",
) -> JoinRequest:
    """Someone asks to join: an inactive account that cannot sign in until it is approved."""
    member = member_create(
        community=community,
        handle=handle,
        display_name=display_name,
        password=password,
        email=email,
        preferred_language=preferred_language,
        is_active=False,
    )
    join_request = JoinRequest.objects.create(community=community, member=member, message=message)
    audit_record(action="community.join_request.created", actor=member, obj=join_request)
    return join_request


@transaction.atomic
def join_request_decide(
    *, actor: Member, join_request: JoinRequest, approve: bool, now: datetime | None = None
) -> JoinRequest:
    require(actor, "join_request.decide", join_request)
    join_request = (
        JoinRequest.objects.select_for_update().select_related("member").get(pk=join_request.pk)
    )
    if join_request.status != JoinRequest.Status.PENDING:
        raise Conflict(_("This request was already decided."), code="already_decided")
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = now or timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        join_request.member.is_active = True
        join_request.member.save(update_fields=["is_active"])
    audit_record(
        action=f"community.join_request.{join_request.status}",
        actor=actor,
        obj=join_request,
        data={"member": join_request.member.handle},
    )
    return join_request


# --- API tokens ----------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, member: Member, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it with the token text, which is never shown again."""
    name = name.strip()
    if not name or len(name) > 60:
        raise MutuaError(
            _("Give the token a name of up to 60 characters."),
            code="invalid_token_name",
            fields={"name": [_("Give the token a name of up to 60 characters.")]},
        )
    raw = TOKEN_PREFIX + _new_secret()
    token = ApiToken.objects.create(
        member=member, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], token_hash=token_hash(raw)
    )
    audit_record(action="community.api_token.created", actor=member, obj=token, data={"name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, member: Member, token_id: Any) -> ApiToken:
    token = ApiToken.objects.filter(member=member, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(_("Not found."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(action="community.api_token.revoked", actor=member, obj=token)
    return token


@transaction.atomic
def member_update(
    *, member: Member, display_name: str, email: str, phone: str, preferred_language: str
) -> Member:
    if not display_name.strip():
        raise MutuaError(
            _("Please give a name other members will see."),
            code="invalid_member",
            fields={"display_name": [_("Please give a name other members will see.")]},
        )
    member.display_name = display_name.strip()
    member.email = email
    member.phone = phone
    member.preferred_language = preferred_language
    member.save(update_fields=["display_name", "email", "phone", "preferred_language"])
    audit_record(action="community.member.updated", actor=member, obj=member)
    return member


# --- forgetting (the privacy app's retention and deletions) --------------------------------------

# Needs that hold nothing: what retention and deletion leave behind (the row stays, so every page
# that reads a household's needs still finds one).
_NEEDS_BLANK: dict[str, Any] = {
    "diets": [],
    "allergens": [],
    "urgent_medical": False,
    "notes": "",
    "address": "",
    "latitude": None,
    "longitude": None,
    "cross_streets": "",
}


def _needs_held() -> QuerySet[HouseholdNeeds]:
    """Needs rows that still hold something private (so forgetting twice counts nothing)."""
    return HouseholdNeeds.objects.filter(
        ~Q(diets=[])
        | ~Q(allergens=[])
        | Q(urgent_medical=True)
        | ~Q(notes="")
        | ~Q(address="")
        | Q(latitude__isnull=False)
        | Q(longitude__isnull=False)
        | ~Q(cross_streets="")
    )


@transaction.atomic
def household_needs_forget(
    *, household_ids: list[Any], now: datetime | None = None, dry_run: bool = False
) -> int:
    """Blank the private needs of these households; how many still held any. The audit log names
    no household here: the caller records one entry with the count."""
    held = _needs_held().filter(household_id__in=household_ids)
    if dry_run:
        return held.count()
    return held.update(**_NEEDS_BLANK, updated_at=now or timezone.now())


def former_label(member: Member) -> str:
    """The pseudonym a deleted member leaves behind: the end of their id, random in a UUIDv7."""
    return str(member.pk).replace("-", "")[-8:]


@transaction.atomic
def member_forget(*, member: Member, now: datetime | None = None) -> Member:
    """A member's personal details go and their login ends; what they did stays, under a
    pseudonym ("Former member #1a2b3c4d"), so ledger accounts, orders and provenance keep pointing
    at the same row. Their household is left; if nobody is left in it, its name and needs go too.
    Refuses to remove a community's last admin (`Conflict`)."""
    now = now or timezone.now()
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.memberships.filter(role=Role.ADMIN).exists():
        others = Membership.objects.filter(community_id=member.tenant_id, role=Role.ADMIN)
        if not others.exclude(member=member).exists():
            raise Conflict(
                _("A community needs at least one admin: grant the role to someone else first."),
                code="last_admin",
            )
    label = former_label(member)
    household = member.household
    member.display_name = f"Former member #{label}"
    member.handle = f"former-{label}"
    member.email = member.phone = ""
    member.household = None
    member.is_active = False
    member.set_unusable_password()
    member.save()
    Membership.objects.filter(member=member).delete()
    forget_roles(member)
    ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(revoked_at=now)
    JoinRequest.objects.filter(member=member).update(message="")
    Invitation.objects.filter(accepted_by=member).update(email="", note="")
    _sessions_end(member)
    if household is not None and not household.members.exists():
        household.name = f"Former household #{str(household.pk).replace('-', '')[-8:]}"
        household.save(update_fields=["name"])
        household_needs_forget(household_ids=[household.pk], now=now)
    audit_record(action="community.member.forgotten", obj=member, now=now)
    return member


def _sessions_end(member: Member) -> None:
    """Sign the member out everywhere (the unusable password already fails every old session's
    hash; deleting the rows leaves nothing of theirs in the session table)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(member.pk):
            session.delete()
