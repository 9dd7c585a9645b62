"""Writing art-for-land data: land trusts and their projects, artists, artworks, photos and custody.
Sales are in `sales.py`, what the chain does in `chainwork.py`. The only writers of `art` rows.

Every function is one database transaction, and every change to an artwork appends its provenance
event in that same transaction, so the log never misses or invents a step.

Custody: the artist holds a newly registered work. A hand-off is proposed by either party (the
releaser must be the current holder, and nothing else may be pending), which confirms it for them;
it counts when the other party confirms. Receiving on behalf of an organization (the trust, say)
needs a role in that organization.

Errors: `MutuaError` with `fields` for bad input; `Forbidden` for the wrong person; `Refused` when
the rules say no (a published work's terms, a second pending hand-off); `NotFound` across
communities.
"""

import io
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.art import provenance
from mutua.art.ipfs import cid_v1, sha256_hex
from mutua.art.models import (
    MAX_EDITIONS,
    MAX_ROYALTY_BPS,
    TOTAL_BPS,
    ArtistProfile,
    Artwork,
    Edition,
    EventKind,
    Handoff,
    HandoffConfirmation,
    LandProject,
    LandTrust,
    Photo,
    ProjectKind,
)
from mutua.art.provenance import person
from mutua.community.models import Member, Organization
from mutua.community.permissions import member_roles, require
from mutua.community.roles import OrganizationKind, Role
from mutua.core.errors import Forbidden, MutuaError, NotFound, Refused, problems_raise
from mutua.core.services import audit_record


class TrustScope(NamedTuple):
    """Stands for "inside this land trust" in a permission check (the role counts there)."""

    community_id: UUID
    organization_id: UUID


PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


# --- land trusts ----------------------------------------------------------------------------------


@transaction.atomic
def trust_profile_set(
    *, actor: Member, organization: Organization, mission: str, place: str = ""
) -> LandTrust:
    if organization.kind != OrganizationKind.LAND_TRUST:
        raise MutuaError(_("Choose a community land trust."), code="not_a_trust")
    require(actor, "art.trust.manage", TrustScope(organization.community_id, organization.pk))
    trust, _created = LandTrust.objects.update_or_create(
        organization=organization,
        defaults={
            "community_id": organization.community_id,
            "mission": mission.strip(),
            "place": place.strip(),
        },
    )
    audit_record(action="art.trust.updated", actor=actor, obj=trust)
    return trust


class ProjectFields(NamedTuple):
    name: str
    kind: str
    goal: int
    description: str = ""
    rank: int = 1


@transaction.atomic
def project_add(*, actor: Member, trust: LandTrust, fields: ProjectFields) -> LandProject:
    require(actor, "art.trust.manage", trust)
    problems: dict[str, list[str]] = {}
    if not fields.name.strip():
        problems["name"] = [_("Give the project a name.")]
    if fields.kind not in ProjectKind.values:
        problems["kind"] = [_("Choose land, housing or a garden.")]
    if not isinstance(fields.goal, int) or fields.goal <= 0:
        problems["goal"] = [_("A funding goal is more than zero.")]
    if not isinstance(fields.rank, int) or fields.rank < 1:
        problems["rank"] = [_("The order is 1 or more.")]
    problems_raise(problems)
    project = LandProject.objects.create(
        community_id=trust.community_id,
        trust=trust,
        **(fields._asdict() | {"name": fields.name.strip()}),
    )
    audit_record(action="art.project.created", actor=actor, obj=project)
    return project


# --- artists and artworks -------------------------------------------------------------------------


def _require_artist(actor: Member) -> None:
    require(actor, "art.artwork.create", actor.community)


@transaction.atomic
def artist_profile_set(
    *, actor: Member, statement: str, preferred_trust: LandTrust | None
) -> ArtistProfile:
    _require_artist(actor)
    if preferred_trust is not None and preferred_trust.community_id != actor.community_id:
        raise NotFound(_("Not found."))
    profile, _created = ArtistProfile.objects.update_or_create(
        member=actor,
        defaults={
            "community_id": actor.community_id,
            "statement": statement.strip(),
            "preferred_trust": preferred_trust,
        },
    )
    audit_record(action="art.artist.updated", actor=actor, obj=profile)
    return profile


class ObjectFields(NamedTuple):
    """The Object ID description of the physical work."""

    title: str
    object_type: str
    maker: str
    made: str
    materials: str
    measurements: str
    subject: str = ""
    inscriptions: str = ""
    features: str = ""
    description: str = ""


class Terms(NamedTuple):
    editions: int
    price: int
    artist_bps: int
    royalty_bps: int
    investor_bps: int
    artist_royalty_bps: int
    union_bps: int


REQUIRED_OBJECT_FIELDS = ("title", "object_type", "maker", "made", "materials", "measurements")


def _object_problems(fields: ObjectFields) -> dict[str, list[str]]:
    return {
        name: [_("This is part of the work's Object ID: please fill it in.")]
        for name in REQUIRED_OBJECT_FIELDS
        if not str(getattr(fields, name)).strip()
    }


def terms_problems(terms: Terms) -> dict[str, list[str]]:
    """Every problem with an artwork's terms, by field (empty if none)."""
    problems: dict[str, list[str]] = {}

    def whole(name: str, low: int, high: int, message: str) -> None:
        value = getattr(terms, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems[name] = [message]

    whole("editions", 1, MAX_EDITIONS, _("Between 1 and %(n)s editions.") % {"n": MAX_EDITIONS})
    whole("price", 1, 10**12, _("A price is more than zero."))
    whole("artist_bps", 0, TOTAL_BPS, _("The artist's part is 0 to 100 %."))
    whole("royalty_bps", 0, MAX_ROYALTY_BPS, _("A royalty is 0 to 50 %, on a resale price."))
    whole("investor_bps", 0, TOTAL_BPS, _("A share is 0 to 100 %."))
    whole("artist_royalty_bps", 0, TOTAL_BPS, _("A share is 0 to 100 %."))
    whole(
        "union_bps",
        1,
        TOTAL_BPS,
        _("The credit union's share, passed on to the land trust, is more than 0 %."),
    )
    if (
        not problems
        and terms.investor_bps + terms.artist_royalty_bps + terms.union_bps != TOTAL_BPS
    ):
        problems["union_bps"] = [_("The royalty shares must add up to 100 %.")]
    return problems


def _trust_of(actor: Member) -> LandTrust:
    profile = ArtistProfile.objects.filter(member=actor).select_related("preferred_trust").first()
    if profile is None or profile.preferred_trust is None:
        raise Refused(
            _("Choose the land trust your work supports in your artist profile first."),
            code="no_trust",
        )
    return profile.preferred_trust


@transaction.atomic
def artwork_register(
    *, actor: Member, fields: ObjectFields, terms: Terms, now: datetime | None = None
) -> Artwork:
    """A new work, held by its artist, supporting the artist's preferred land trust."""
    now = now or timezone.now()
    _require_artist(actor)
    problems_raise(_object_problems(fields) | terms_problems(terms))
    trust = _trust_of(actor)
    clean = {name: str(value).strip() for name, value in fields._asdict().items()}
    assert actor.community_id is not None  # `require` refused anyone without a community
    artwork = Artwork.objects.create(
        community_id=actor.community_id,
        artist=actor,
        trust=trust,
        created_at=now,
        **clean,
        **terms._asdict(),
    )
    provenance.event_append(
        artwork=artwork,
        kind=EventKind.REGISTERED,
        data={"artist": person(actor), "trust": trust.organization.name, "object": clean},
        now=now,
    )
    audit_record(action="art.artwork.registered", actor=actor, obj=artwork, now=now)
    return artwork


def _own_draft(actor: Member, artwork: Artwork) -> Artwork:
    require(actor, "art.artwork.create", artwork)
    artwork = Artwork.objects.select_for_update().get(pk=artwork.pk)
    if artwork.artist_id != actor.pk:
        raise Forbidden(_("Only the artist changes the work's record."))
    return artwork


@transaction.atomic
def artwork_terms_set(*, actor: Member, artwork: Artwork, terms: Terms) -> Artwork:
    artwork = _own_draft(actor, artwork)
    if artwork.published_at is not None:
        raise Refused(
            _("The work is published: its terms are fixed for every buyer."), code="terms_fixed"
        )
    problems_raise(terms_problems(terms))
    for name, value in terms._asdict().items():
        setattr(artwork, name, value)
    artwork.save(update_fields=list(terms._fields))
    audit_record(action="art.artwork.terms_set", actor=actor, obj=artwork, data=terms._asdict())
    return artwork


def _image_type(data: bytes) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = ""
    if kind not in PHOTO_TYPES:
        raise MutuaError(
            _("A photo is a JPEG, PNG or WebP image."),
            code="bad_photo",
            fields={"image": [_("A photo is a JPEG, PNG or WebP image.")]},
        )
    return PHOTO_TYPES[kind]


@transaction.atomic
def photo_add(
    *, actor: Member, artwork: Artwork, data: bytes, caption: str = "", now: datetime | None = None
) -> Photo:
    """Store a photo with its SHA-256 and IPFS CIDv1 (checked to be a real image, 8 MB at most)."""
    now = now or timezone.now()
    artwork = _own_draft(actor, artwork)
    if len(data) > PHOTO_MAX_BYTES:
        message = _("A photo is 8 MB at most.")
        raise MutuaError(message, code="bad_photo", fields={"image": [message]})
    content_type = _image_type(data)
    digest, cid = sha256_hex(data), cid_v1(data)
    extension = content_type.split("/")[1].replace("jpeg", "jpg")
    photo = Photo(
        community_id=artwork.community_id,
        artwork=artwork,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        cid=cid,
        caption=caption.strip()[:200],
        created_at=now,
    )
    photo.image.save(f"{digest}.{extension}", ContentFile(data), save=False)
    photo.save()
    provenance.event_append(
        artwork=artwork,
        kind=EventKind.PHOTO,
        data={"sha256": digest, "cid": cid, "caption": photo.caption},
        now=now,
    )
    return photo


@transaction.atomic
def artwork_publish(*, actor: Member, artwork: Artwork, now: datetime | None = None) -> Artwork:
    """Put the work in the gallery and its editions on sale; its terms are fixed from now on."""
    now = now or timezone.now()
    artwork = _own_draft(actor, artwork)
    if artwork.published_at is not None:
        raise Refused(_("The work is published already."), code="published")
    if not artwork.photos.exists():
        raise Refused(_("Add a photo of the work before publishing it."), code="no_photo")
    artwork.published_at = now
    artwork.save(update_fields=["published_at"])
    Edition.objects.bulk_create(
        Edition(community_id=artwork.community_id, artwork=artwork, number=n)
        for n in range(1, artwork.editions + 1)
    )
    provenance.event_append(
        artwork=artwork,
        kind=EventKind.PUBLISHED,
        data={
            "terms": {name: getattr(artwork, name) for name in Terms._fields},
            "trust": artwork.trust.organization.name,
        },
        now=now,
    )
    audit_record(action="art.artwork.published", actor=actor, obj=artwork, now=now)
    return artwork


# --- custody --------------------------------------------------------------------------------------


class Custodian(NamedTuple):
    member: Member
    organization: Organization | None


def custodian_of(artwork: Artwork) -> Custodian:
    """Who holds the physical work now: the receiver of the last hand-off both parties confirmed,
    else the artist."""
    for handoff in (
        Handoff.objects.filter(artwork=artwork)
        .select_related("received_by", "received_for")
        .order_by("-created_at")
    ):
        if handoff_confirmed(handoff):
            return Custodian(handoff.received_by, handoff.received_for)
    return Custodian(artwork.artist, None)


def handoff_confirmed(handoff: Handoff) -> bool:
    return HandoffConfirmation.objects.filter(handoff=handoff).count() == 2


def handoff_pending(artwork: Artwork) -> Handoff | None:
    last = Handoff.objects.filter(artwork=artwork).order_by("-created_at").first()
    return last if last is not None and not handoff_confirmed(last) else None


class HandoffFields(NamedTuple):
    released_by: Member
    received_by: Member
    place: str
    at: datetime
    condition: str
    received_for: Organization | None = None


def _handoff_check(actor: Member, artwork: Artwork, fields: HandoffFields) -> None:
    problems: dict[str, list[str]] = {}
    if not fields.place.strip():
        problems["place"] = [_("Say where the work changed hands.")]
    if not fields.condition.strip():
        problems["condition"] = [_("Describe the work's condition at the hand-off.")]
    if fields.released_by.pk == fields.received_by.pk:
        problems["received_by"] = [_("A hand-off is between two people.")]
    problems_raise(problems)
    for party in (fields.received_by, fields.received_for):
        if party is not None and party.community_id != artwork.community_id:
            raise NotFound(_("Not found."))
    if actor.pk not in (fields.released_by.pk, fields.received_by.pk):
        raise Forbidden(_("Only the two people handing the work over record it."))
    holder = custodian_of(artwork)
    if holder.member.pk != fields.released_by.pk:
        raise Refused(
            _("%(name)s holds the work now: only they can hand it over.")
            % {"name": holder.member.display_name},
            code="not_the_holder",
        )
    organization = fields.received_for
    if organization is not None and not member_roles(fields.received_by, organization.pk) - {
        Role.MEMBER
    }:
        raise Refused(
            _("%(name)s has no role in %(org)s to receive the work for it.")
            % {"name": fields.received_by.display_name, "org": organization.name},
            code="not_for_organization",
        )


@transaction.atomic
def handoff_propose(
    *, actor: Member, artwork: Artwork, fields: HandoffFields, now: datetime | None = None
) -> Handoff:
    """Record a hand-off the actor takes part in; it counts once the other party confirms."""
    now = now or timezone.now()
    require(actor, "art.custody.record", artwork)
    artwork = Artwork.objects.select_for_update().get(pk=artwork.pk)
    if handoff_pending(artwork) is not None:
        raise Refused(
            _("A hand-off of this work is waiting to be confirmed."), code="handoff_pending"
        )
    _handoff_check(actor, artwork, fields)
    handoff = Handoff.objects.create(
        community_id=artwork.community_id,
        artwork=artwork,
        released_by=fields.released_by,
        received_by=fields.received_by,
        received_for=fields.received_for,
        place=fields.place.strip(),
        at=fields.at,
        condition=fields.condition.strip(),
        created_at=now,
    )
    HandoffConfirmation.objects.create(
        community_id=artwork.community_id, handoff=handoff, member=actor, at=now
    )
    provenance.event_append(
        artwork=artwork,
        kind=EventKind.HANDOFF,
        data={
            "handoff": str(handoff.pk),
            "released_by": person(fields.released_by),
            "received_by": person(fields.received_by),
            "received_for": fields.received_for.name if fields.received_for else None,
            "place": handoff.place,
            "when": fields.at.isoformat(),
            "condition": handoff.condition,
            "recorded_by": person(actor),
        },
        now=now,
    )
    audit_record(action="art.handoff.proposed", actor=actor, obj=handoff, now=now)
    return handoff


@transaction.atomic
def handoff_confirm(*, actor: Member, handoff: Handoff, now: datetime | None = None) -> Handoff:
    now = now or timezone.now()
    require(actor, "art.custody.record", handoff)
    Artwork.objects.select_for_update().filter(pk=handoff.artwork_id).exists()
    if actor.pk not in (handoff.released_by_id, handoff.received_by_id):
        raise Forbidden(_("Only the two people handing the work over confirm it."))
    if HandoffConfirmation.objects.filter(handoff=handoff, member=actor).exists():
        raise Refused(_("You have confirmed this hand-off already."), code="confirmed")
    HandoffConfirmation.objects.create(
        community_id=handoff.community_id, handoff=handoff, member=actor, at=now
    )
    provenance.event_append(
        artwork=handoff.artwork,
        kind=EventKind.CUSTODY,
        data={"handoff": str(handoff.pk), "confirmed_by": person(actor)},
        now=now,
    )
    audit_record(action="art.handoff.confirmed", actor=actor, obj=handoff, now=now)
    return handoff


# --- forgetting (the privacy app's deletions) ----------------------------------------------------


@transaction.atomic
def artist_statement_forget(*, member: Member) -> bool:
    """Blank a departing artist's statement; True if there was one. Their works, editions and
    provenance stay: the log is hash-chained and the works are the land trusts' record."""
    return bool(
        ArtistProfile.objects.filter(member=member).exclude(statement="").update(statement="")
    )
