"""Art-for-land endpoints of the JSON API, under `/api/v1/art/`: artworks (registering, terms,
photos, publishing), their provenance log and custody hand-offs, edition sales and resales, land
trusts and their projects, and the chain tasks that follow a sale.

A thin shell over `mutua.art.services`, `sales`, `chainwork` and `selectors`, with the same rules
as the pages (`art.*`): each endpoint finds the object its path names inside the caller's
community, calls one service and renders. An id in the path that names nothing the caller may see
(another community's object, someone else's draft) is 404 `not_found`; a handle or organization
in the body, 404 `unknown_member` / `unknown_organization` with `fields`. Amounts are integer
local cents, shares integer basis points. The schema's bounds only keep numbers inside a 64-bit
column: the services check the values, so the API and the pages refuse with the same 400.

A sale's optional `id` is the client's idempotency key (`sales.py`): sending it again answers the
sale already made, and nothing is paid twice.
"""

from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from mutua.api import Instant, error_responses
from mutua.art import chainwork, sales, selectors, services
from mutua.art.models import (
    Artwork,
    Edition,
    Handoff,
    LandTrust,
    Listing,
)
from mutua.community.models import Member, Organization
from mutua.community.permissions import require, signed_in
from mutua.community.selectors import member_list
from mutua.core.errors import NotFound

router = Router(tags=["art"])
CENTS = 10**12
BPS = 10**6
READ_ERRORS = error_responses(401, 403, 404, 422)  # 422: an id or a query that does not parse
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
M = TypeVar("M", bound=Model)


# --- schemas: artworks ----------------------------------------------------------------------------


class TermsIn(Schema):
    editions: int = Field(ge=-BPS, le=BPS, description="1 to 100 editions (ERC-721 tokens).")
    price: int = Field(ge=-CENTS, le=CENTS, description="Local cents for one edition; more than 0.")
    artist_bps: int = Field(ge=-BPS, le=BPS, description="The artist's part of a first sale.")
    royalty_bps: int = Field(ge=-BPS, le=BPS, description="The resale royalty; at most 5000.")
    investor_bps: int = Field(ge=-BPS, le=BPS, description="The original investor's part of it.")
    artist_royalty_bps: int = Field(ge=-BPS, le=BPS, description="The artist's part of it.")
    union_bps: int = Field(
        ge=-BPS,
        le=BPS,
        description="The credit union's part, passed on to the trust; the three sum to 10000.",
    )


class ArtworkIn(TermsIn):
    """The work's Object ID description and its terms, side by side."""

    title: str = Field(max_length=200)
    object_type: str = Field(max_length=120)
    maker: str = Field(max_length=200)
    made: str = Field(max_length=60, description="A date or period.")
    materials: str = Field(max_length=300)
    measurements: str = Field(max_length=200)
    subject: str = Field("", max_length=200)
    inscriptions: str = Field("", max_length=2000)
    features: str = Field("", max_length=2000)
    description: str = Field("", max_length=5000)


class TermsOut(Schema):
    editions: int
    price: int
    artist_bps: int
    royalty_bps: int
    investor_bps: int
    artist_royalty_bps: int
    union_bps: int


class PhotoOut(Schema):
    id: UUID
    url: str = Field(alias="image")
    content_type: str
    size: int
    sha256: str
    cid: str = Field(description="IPFS CIDv1 of the image's bytes.")
    caption: str
    created_at: datetime


class ArtworkOut(Schema):
    id: UUID
    artist: str = Field(alias="artist.handle")
    artist_name: str = Field(alias="artist.display_name")
    trust: UUID = Field(alias="trust_id")
    trust_name: str = Field(alias="trust.organization.name")
    title: str
    object_type: str
    maker: str
    made: str
    subject: str
    materials: str
    measurements: str
    inscriptions: str
    features: str
    description: str
    terms: TermsOut
    published_at: datetime | None = Field(description="null: a draft, seen by its artist only.")
    created_at: datetime
    photos: list[PhotoOut]

    @staticmethod
    def resolve_terms(artwork: Artwork) -> dict[str, int]:
        return {name: getattr(artwork, name) for name in services.Terms._fields}


class ListingBriefOut(Schema):
    id: UUID
    price: int
    seller: str = Field(alias="seller.handle")


class EditionOut(Schema):
    id: UUID
    number: int
    holder: str | None = Field(None, alias="holder.handle")
    original_investor: str | None = Field(None, alias="original_investor.handle")
    token_id: int | None
    splitter: str = Field(description="The token's royalty splitter contract.")
    chain_state: str = Field(description="unsold, pending (waiting for the chain) or on_chain")
    chain_error: str = Field(description="Why the chain has not done it yet, if it failed.")
    listing: ListingBriefOut | None = Field(None, alias="open_listing")

    @staticmethod
    def resolve_chain_state(edition: Any) -> str:
        if edition.pending_task is not None:
            return "pending"
        return "unsold" if edition.holder_id is None else "on_chain"

    @staticmethod
    def resolve_chain_error(edition: Any) -> str:
        return str(edition.pending_task.last_error) if edition.pending_task is not None else ""


class CustodianOut(Schema):
    member: str = Field(alias="member.handle")
    name: str = Field(alias="member.display_name")
    organization: UUID | None = Field(None, alias="organization.id")
    organization_name: str | None = Field(None, alias="organization.name")


class ProvenanceSummaryOut(Schema):
    verified: bool = Field(description="Every event links to the one before and matches its hash.")
    head: str = Field(description="The last event's hash.")
    events: int

    @staticmethod
    def resolve_verified(timeline: selectors.Timeline) -> bool:
        return not timeline.problems

    @staticmethod
    def resolve_events(timeline: selectors.Timeline) -> int:
        return len(timeline.events)


class ArtworkDetailOut(ArtworkOut):
    editions: list[EditionOut]
    custodian: CustodianOut = Field(description="Who holds the physical work now.")
    provenance: ProvenanceSummaryOut

    @staticmethod
    def resolve_editions(artwork: Artwork) -> list[Edition]:
        return selectors.editions_of(artwork)

    @staticmethod
    def resolve_custodian(artwork: Artwork) -> services.Custodian:
        return services.custodian_of(artwork)

    @staticmethod
    def resolve_provenance(artwork: Artwork) -> selectors.Timeline:
        return selectors.timeline(artwork)


class ProvenanceEventOut(Schema):
    seq: int
    kind: str
    at: datetime
    content: dict[str, Any]
    prev_hash: str
    hash: str


class ProblemOut(Schema):
    seq: int
    problem: str


class ProvenanceOut(Schema):
    verified: bool
    head: str
    events: list[ProvenanceEventOut]
    problems: list[ProblemOut]

    @staticmethod
    def resolve_verified(timeline: selectors.Timeline) -> bool:
        return not timeline.problems


# --- schemas: custody -----------------------------------------------------------------------------


class HandoffIn(Schema):
    released_by: str = Field(max_length=30, description="The current holder's handle.")
    received_by: str = Field(max_length=30, description="The receiver's handle.")
    received_for: UUID | None = Field(None, description="An organization they receive it for.")
    place: str = Field(max_length=200)
    at: Instant
    condition: str = Field(max_length=2000)


class HandoffOut(Schema):
    id: UUID
    artwork: UUID = Field(alias="artwork_id")
    released_by: str = Field(alias="released_by.handle")
    received_by: str = Field(alias="received_by.handle")
    received_for: UUID | None = Field(alias="received_for_id")
    received_for_name: str | None = Field(None, alias="received_for.name")
    place: str
    at: datetime
    condition: str
    created_at: datetime
    confirmed_by: list[str] = Field(description="Handles; the hand-off counts once both did.")
    confirmed: bool

    @staticmethod
    def resolve_confirmed_by(handoff: Handoff) -> list[str]:
        handles = {
            handoff.released_by_id: handoff.released_by.handle,
            handoff.received_by_id: handoff.received_by.handle,
        }
        return [handles[c.member_id] for c in handoff.confirmations.all()]

    @staticmethod
    def resolve_confirmed(handoff: Handoff) -> bool:
        return len(handoff.confirmations.all()) == 2


# --- schemas: sales -------------------------------------------------------------------------------


class SaleIn(Schema):
    id: UUID | None = Field(None, description="The idempotency key; a retry with it buys once.")


class ListingIn(Schema):
    price: int = Field(ge=-CENTS, le=CENTS, description="Local cents; more than zero.")


class ListingOut(Schema):
    id: UUID
    edition: UUID = Field(alias="edition_id")
    edition_number: int = Field(alias="edition.number")
    artwork: UUID = Field(alias="edition.artwork_id")
    title: str = Field(alias="edition.artwork.title")
    seller: str = Field(alias="seller.handle")
    price: int
    status: str
    created_at: datetime
    closed_at: datetime | None


class SaleOut(Schema):
    id: UUID
    kind: str = Field(description="primary (from the artist) or resale")
    edition: UUID = Field(alias="edition_id")
    edition_number: int = Field(alias="edition.number")
    artwork: UUID = Field(alias="edition.artwork_id")
    title: str = Field(alias="edition.artwork.title")
    listing: UUID | None = Field(alias="listing_id")
    seller: str = Field(alias="seller.handle")
    buyer: str = Field(alias="buyer.handle")
    price: int
    royalty: int
    seller_amount: int
    investor_amount: int
    artist_amount: int
    trust_amount: int = Field(description="To the land trust (through the credit union).")
    trust: UUID = Field(alias="trust_id")
    transfers: list[UUID] = Field(alias="transfer_ids", description="Its linked ledger batch.")
    at: datetime


# --- schemas: trusts and the chain ----------------------------------------------------------------


class TrustOut(Schema):
    id: UUID
    organization: UUID = Field(alias="organization_id")
    name: str = Field(alias="organization.name")
    mission: str
    place: str


class ProjectIn(Schema):
    name: str = Field(max_length=120)
    kind: str = Field(max_length=10, description="land, housing or garden")
    goal: int = Field(ge=-CENTS, le=CENTS, description="Local cents; more than zero.")
    description: str = Field("", max_length=5000)
    rank: int = Field(1, ge=-BPS, le=BPS, description="Funded in this order, from 1.")


class ProjectOut(Schema):
    id: UUID
    trust: UUID = Field(alias="trust_id")
    name: str
    kind: str
    description: str
    goal: int
    rank: int


class ProjectProgressOut(Schema):
    id: UUID = Field(alias="project.id")
    name: str = Field(alias="project.name")
    kind: str = Field(alias="project.kind")
    goal: int = Field(alias="project.goal")
    rank: int = Field(alias="project.rank")
    funded: int
    percent: int


class RaisedByArtworkOut(Schema):
    artwork: UUID
    title: str
    amount: int


class RaisedByArtistOut(Schema):
    artist: str = Field(description="The artist's name.")
    amount: int


class RaisedByMonthOut(Schema):
    month: date
    amount: int


class TrustDetailOut(Schema):
    id: UUID = Field(alias="trust.id")
    organization: UUID = Field(alias="trust.organization_id")
    name: str = Field(alias="trust.organization.name")
    mission: str = Field(alias="trust.mission")
    place: str = Field(alias="trust.place")
    raised: int = Field(description="Local cents raised through art.")
    goal: int = Field(description="The projects' goals together.")
    percent: int
    projects: list[ProjectProgressOut] = Field(description="Filled in rank order.")
    by_artwork: list[RaisedByArtworkOut]
    by_artist: list[RaisedByArtistOut]
    by_month: list[RaisedByMonthOut]

    @staticmethod
    def resolve_by_artwork(totals: selectors.TrustTotals) -> list[dict[str, Any]]:
        return [{"artwork": a, "title": t, "amount": n} for a, t, n in totals.by_artwork]

    @staticmethod
    def resolve_by_artist(totals: selectors.TrustTotals) -> list[dict[str, Any]]:
        return [{"artist": name, "amount": n} for name, n in totals.by_artist]

    @staticmethod
    def resolve_by_month(totals: selectors.TrustTotals) -> list[dict[str, Any]]:
        return [{"month": month, "amount": n} for month, n in totals.by_month]


class ChainTaskOut(Schema):
    id: UUID
    kind: str = Field(description="mint or move")
    state: str = Field(description="pending or done")
    edition: UUID = Field(alias="edition_id")
    edition_number: int = Field(alias="edition.number")
    artwork: UUID = Field(alias="edition.artwork_id")
    title: str = Field(alias="edition.artwork.title")
    sale: UUID = Field(alias="sale_id")
    to: str = Field(alias="to_member.handle")
    attempts: int
    last_error: str
    tx_hash: str
    created_at: datetime
    done_at: datetime | None


class ChainRunOut(Schema):
    done: int
    failed: int
    waiting: int = Field(description="Held back behind a failed task of the same edition.")


# --- finding what the path names ------------------------------------------------------------------


def _in_path(viewer: Member, queryset: QuerySet[M], pk: UUID) -> M:
    found = queryset.filter(community_id=viewer.tenant_id, pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _visible(viewer: Member, artwork: Artwork) -> Artwork:
    """A draft is its artist's alone; to anyone else it does not exist."""
    if artwork.published_at is None and artwork.artist_id != viewer.pk:
        raise NotFound(_("Not found."))
    return artwork


def _artwork(viewer: Member, artwork_id: UUID) -> Artwork:
    artworks = Artwork.objects.select_related("artist", "trust__organization")
    return _visible(viewer, _in_path(viewer, artworks.prefetch_related("photos"), artwork_id))


def _handoff(viewer: Member, handoff_id: UUID) -> Handoff:
    handoff = _in_path(viewer, Handoff.objects.select_related("artwork"), handoff_id)
    _visible(viewer, handoff.artwork)
    return handoff


def _edition(viewer: Member, edition_id: UUID) -> Edition:
    editions = Edition.objects.filter(artwork__published_at__isnull=False)
    return _in_path(viewer, editions.select_related("artwork"), edition_id)


def _listing(viewer: Member, listing_id: UUID) -> Listing:
    return _in_path(viewer, Listing.objects.select_related("edition__artwork"), listing_id)


def _member(viewer: Member, handle: str, where: str) -> Member:
    found = member_list(viewer=viewer).filter(handle__iexact=handle.strip()).first()
    if found is None:
        message = _("No member has that handle.")
        raise NotFound(message, code="unknown_member", fields={where: [message]})
    return found


def _organization(viewer: Member, organization_id: UUID | None) -> Organization | None:
    if organization_id is None:
        return None
    found = Organization.objects.filter(community_id=viewer.tenant_id, pk=organization_id).first()
    if found is None:
        message = _("No organization has that id.")
        raise NotFound(message, code="unknown_organization", fields={"received_for": [message]})
    return found


def _handoff_out(handoff: Handoff) -> Handoff:
    """The hand-off as `HandoffOut` reads it (its parties and confirmations loaded)."""
    found = Handoff.objects.select_related("released_by", "received_by", "received_for")
    return found.prefetch_related("confirmations").get(pk=handoff.pk)


# --- artworks -------------------------------------------------------------------------------------


@router.get("/artworks", response={200: list[ArtworkOut], **READ_ERRORS})
def artworks_list(request: HttpRequest) -> Any:
    """The community's gallery, newest first, after your own drafts (artists)."""
    viewer = signed_in(request)
    drafts = selectors.artworks_of(viewer).filter(published_at__isnull=True)
    drafts = drafts.select_related("artist").prefetch_related("photos")
    return [*drafts, *selectors.gallery(viewer.tenant)]


@router.post("/artworks", response={201: ArtworkDetailOut, **WRITE_ERRORS})
def artwork_register(request: HttpRequest, body: ArtworkIn) -> Any:
    """Register a work (artists): a draft, held by you, for your preferred land trust. 422
    `no_trust` until your artist profile names one."""
    viewer = signed_in(request)
    values = body.dict()
    fields = services.ObjectFields(**{name: values[name] for name in services.ObjectFields._fields})
    terms = services.Terms(**{name: values[name] for name in services.Terms._fields})
    artwork = services.artwork_register(actor=viewer, fields=fields, terms=terms)
    return 201, _artwork(viewer, artwork.pk)


@router.get("/artworks/{artwork_id}", response={200: ArtworkDetailOut, **READ_ERRORS})
def artwork_get(request: HttpRequest, artwork_id: UUID) -> Any:
    """A work with its terms, photos, editions, custodian and whether its provenance verifies."""
    return _artwork(signed_in(request), artwork_id)


@router.put("/artworks/{artwork_id}/terms", response={200: ArtworkDetailOut, **WRITE_ERRORS})
def artwork_terms_set(request: HttpRequest, artwork_id: UUID, body: TermsIn) -> Any:
    """Change a draft's terms (its artist); 422 `terms_fixed` once published."""
    viewer = signed_in(request)
    artwork = _artwork(viewer, artwork_id)
    services.artwork_terms_set(actor=viewer, artwork=artwork, terms=services.Terms(**body.dict()))
    return _artwork(viewer, artwork_id)


@router.post("/artworks/{artwork_id}/photos", response={201: PhotoOut, **WRITE_ERRORS})
def photo_add(
    request: HttpRequest,
    artwork_id: UUID,
    image: Annotated[UploadedFile, File(description="A JPEG, PNG or WebP image; 8 MB at most.")],
    caption: Annotated[str, Form(max_length=200)] = "",
) -> Any:
    """Add a photo to a draft (its artist): stored with its SHA-256 and IPFS CID. 400
    `bad_photo` for anything but an image."""
    viewer = signed_in(request)
    artwork = _artwork(viewer, artwork_id)
    data = image.read(services.PHOTO_MAX_BYTES + 1)  # one byte more is enough to refuse it
    return 201, services.photo_add(actor=viewer, artwork=artwork, data=data, caption=caption)


@router.post("/artworks/{artwork_id}/publish", response={200: ArtworkDetailOut, **WRITE_ERRORS})
def artwork_publish(request: HttpRequest, artwork_id: UUID) -> Any:
    """Put a draft in the gallery and its editions on sale (its artist); the terms are fixed from
    now on. 422 `no_photo` without a photo, `published` the second time."""
    viewer = signed_in(request)
    services.artwork_publish(actor=viewer, artwork=_artwork(viewer, artwork_id))
    return _artwork(viewer, artwork_id)


@router.get("/artworks/{artwork_id}/provenance", response={200: ProvenanceOut, **READ_ERRORS})
def artwork_provenance(request: HttpRequest, artwork_id: UUID) -> Any:
    """The work's hash-chained log, in order, and every break in the chain (none if it
    verifies)."""
    return selectors.timeline(_artwork(signed_in(request), artwork_id))


# --- custody --------------------------------------------------------------------------------------


@router.get("/artworks/{artwork_id}/handoffs", response={200: list[HandoffOut], **READ_ERRORS})
def handoffs_list(request: HttpRequest, artwork_id: UUID) -> Any:
    """Every hand-off of the physical work, oldest first."""
    return selectors.handoffs(_artwork(signed_in(request), artwork_id))


@router.post("/artworks/{artwork_id}/handoffs", response={201: HandoffOut, **WRITE_ERRORS})
def handoff_propose(request: HttpRequest, artwork_id: UUID, body: HandoffIn) -> Any:
    """Record a hand-off you take part in; it counts once the other party confirms. 422
    `not_the_holder` unless `released_by` holds the work, `handoff_pending` while another waits."""
    viewer = signed_in(request)
    artwork = _artwork(viewer, artwork_id)
    fields = services.HandoffFields(
        released_by=_member(viewer, body.released_by, "released_by"),
        received_by=_member(viewer, body.received_by, "received_by"),
        received_for=_organization(viewer, body.received_for),
        place=body.place,
        at=body.at,
        condition=body.condition,
    )
    handoff = services.handoff_propose(actor=viewer, artwork=artwork, fields=fields)
    return 201, _handoff_out(handoff)


@router.post("/handoffs/{handoff_id}/confirm", response={200: HandoffOut, **WRITE_ERRORS})
def handoff_confirm(request: HttpRequest, handoff_id: UUID) -> Any:
    """Confirm a hand-off (the other party): custody moves. 403 for anyone else."""
    viewer = signed_in(request)
    handoff = services.handoff_confirm(actor=viewer, handoff=_handoff(viewer, handoff_id))
    return _handoff_out(handoff)


# --- sales ----------------------------------------------------------------------------------------


@router.post("/editions/{edition_id}/buy", response={201: SaleOut, **WRITE_ERRORS})
def edition_buy(request: HttpRequest, edition_id: UUID, body: SaleIn | None = None) -> Any:
    """Buy an unsold edition from its artist at the work's price (investors). 422 `sold`,
    `own_work`, `exceeds_credit_limit`; 409 `id_conflict` for an id used for another purchase."""
    viewer = signed_in(request)
    sale_id = body.id if body is not None else None
    edition = _edition(viewer, edition_id)
    return 201, sales.edition_buy(buyer=viewer, edition=edition, sale_id=sale_id)


@router.post("/editions/{edition_id}/listings", response={201: ListingOut, **WRITE_ERRORS})
def listing_create(request: HttpRequest, edition_id: UUID, body: ListingIn) -> Any:
    """Offer an edition you hold for resale. 403 if you do not hold it, 422 `listed` if it is."""
    viewer = signed_in(request)
    edition = _edition(viewer, edition_id)
    return 201, sales.listing_create(actor=viewer, edition=edition, price=body.price)


@router.get("/listings", response={200: list[ListingOut], **READ_ERRORS})
def listings_list(request: HttpRequest) -> Any:
    """Editions for resale, newest first."""
    return selectors.open_listings(signed_in(request).tenant)


@router.post("/listings/{listing_id}/withdraw", response={200: ListingOut, **WRITE_ERRORS})
def listing_withdraw(request: HttpRequest, listing_id: UUID) -> Any:
    """Withdraw your listing; 409 `not_open` once it is sold or withdrawn."""
    viewer = signed_in(request)
    return sales.listing_withdraw(actor=viewer, listing=_listing(viewer, listing_id))


@router.post("/listings/{listing_id}/buy", response={201: SaleOut, **WRITE_ERRORS})
def listing_buy(request: HttpRequest, listing_id: UUID, body: SaleIn | None = None) -> Any:
    """Buy a listed edition (investors): the seller, the royalty's three parts and the trust are
    paid in one linked ledger batch. 422 `own_listing`; 409 `not_open`, `id_conflict`."""
    viewer = signed_in(request)
    sale_id = body.id if body is not None else None
    listing = _listing(viewer, listing_id)
    return 201, sales.listing_buy(buyer=viewer, listing=listing, sale_id=sale_id)


@router.get("/sales", response={200: list[SaleOut], **READ_ERRORS})
def sales_list(request: HttpRequest) -> Any:
    """Credit union officers and admins: every sale; anyone else: their own, as buyer or seller."""
    return selectors.sales_seen_by(signed_in(request)).order_by("at")


# --- land trusts ----------------------------------------------------------------------------------


@router.get("/trusts", response={200: list[TrustOut], **READ_ERRORS})
def trusts_list(request: HttpRequest) -> Any:
    return selectors.trusts(signed_in(request).tenant)


@router.get("/trusts/{trust_id}", response={200: TrustDetailOut, **READ_ERRORS})
def trust_get(request: HttpRequest, trust_id: UUID) -> Any:
    """A trust with what it raised through art (in all, by work, by artist, by month) and how
    far that fills its projects, in rank order."""
    viewer = signed_in(request)
    trust = _in_path(viewer, LandTrust.objects.select_related("organization"), trust_id)
    return selectors.trust_totals(trust)


@router.post("/trusts/{trust_id}/projects", response={201: ProjectOut, **WRITE_ERRORS})
def project_add(request: HttpRequest, trust_id: UUID, body: ProjectIn) -> Any:
    """Add a land or housing project with its funding goal (the trust's stewards)."""
    viewer = signed_in(request)
    trust = _in_path(viewer, LandTrust.objects.all(), trust_id)
    fields = services.ProjectFields(**body.dict())
    return 201, services.project_add(actor=viewer, trust=trust, fields=fields)


# --- the chain ------------------------------------------------------------------------------------


@router.get("/chain/tasks", response={200: list[ChainTaskOut], **READ_ERRORS})
def chain_tasks_list(request: HttpRequest, state: str | None = None) -> Any:
    """What the chain must do after each sale, oldest first; `state=pending` for what waits
    (credit union officers, admins)."""
    viewer = signed_in(request)
    require(viewer, "art.chain.retry", viewer.tenant)
    return selectors.chain_tasks(viewer.tenant_id, state)


@router.post("/chain/tasks/run", response={200: ChainRunOut, **WRITE_ERRORS})
def chain_tasks_run(request: HttpRequest) -> Any:
    """Retry the pending chain tasks now, in order (credit union officers, admins)."""
    viewer = signed_in(request)
    require(viewer, "art.chain.retry", viewer.tenant)
    return chainwork.chain_tasks_run(community_id=viewer.tenant_id)
