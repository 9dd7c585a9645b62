"""Reading art-for-land data for the gallery, the land trusts' pages and the API.

Public reads (`gallery`, `artwork_detail`, `trust_totals`) show only published works and never
a member's private details: names as the members show them, no wallets, no addresses. Money
raised for a trust is the sum of its sales' trust parts, which `art_verify` holds equal
to the ledger's payouts into the trust's wallet.
"""

from collections import defaultdict
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from mutua.art.models import (
    ArtistProfile,
    Artwork,
    ChainTask,
    ChainTaskState,
    Edition,
    Handoff,
    LandProject,
    LandTrust,
    Listing,
    ListingStatus,
    ProvenanceEvent,
    Sale,
    SaleKind,
)
from mutua.art.provenance import provenance_problems
from mutua.art.services import custodian_of
from mutua.community.models import Community, Member
from mutua.community.permissions import may
from mutua.core.hashchain import ChainProblem


def gallery(community: Community) -> QuerySet[Artwork]:
    return (
        Artwork.objects.filter(community=community, published_at__isnull=False)
        .select_related("artist", "trust__organization")
        .prefetch_related("photos")
        .order_by("-published_at")
    )


def artworks_of(member: Member) -> QuerySet[Artwork]:
    """An artist's own works, drafts included."""
    return Artwork.objects.filter(artist=member).select_related("trust__organization")


def editions_of(artwork: Artwork) -> list[Edition]:
    editions = list(
        Edition.objects.filter(artwork=artwork)
        .select_related("holder", "original_investor")
        .order_by("number")
    )
    listings = {
        listing.edition_id: listing
        for listing in Listing.objects.filter(edition__artwork=artwork, status=ListingStatus.OPEN)
    }
    tasks = {
        task.edition_id: task
        for task in ChainTask.objects.filter(
            edition__artwork=artwork, state=ChainTaskState.PENDING
        ).order_by("-created_at")
    }
    for edition in editions:
        edition.open_listing = listings.get(edition.pk)  # type: ignore[attr-defined]
        edition.pending_task = tasks.get(edition.pk)  # type: ignore[attr-defined]
    return editions


def editions_held(member: Member) -> QuerySet[Edition]:
    return Edition.objects.filter(holder=member).select_related(
        "artwork", "artwork__trust__organization"
    )


def open_listings(community: Community) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(community=community, status=ListingStatus.OPEN)
        .select_related("edition__artwork", "seller")
        .order_by("-created_at")
    )


class Timeline(NamedTuple):
    events: list[ProvenanceEvent]
    problems: list[ChainProblem]
    head: str


def timeline(artwork: Artwork) -> Timeline:
    """The provenance log in order, with every break in its hash chain (none if it verifies)."""
    events = list(ProvenanceEvent.objects.filter(artwork=artwork).order_by("seq"))
    return Timeline(events, provenance_problems(artwork), events[-1].hash if events else "")


def handoffs(artwork: Artwork) -> list[Handoff]:
    found = list(
        Handoff.objects.filter(artwork=artwork)
        .select_related("released_by", "received_by", "received_for")
        .prefetch_related("confirmations")
        .order_by("created_at")
    )
    for handoff in found:  # from the prefetched confirmations: no query per hand-off
        handoff.confirmed = len(handoff.confirmations.all()) == 2  # type: ignore[attr-defined]
    return found


def artwork_detail(artwork: Artwork) -> dict[str, Any]:
    return {
        "artwork": artwork,
        "photos": list(artwork.photos.all()),
        "editions": editions_of(artwork),
        "custodian": custodian_of(artwork),
        "handoffs": handoffs(artwork),
        "timeline": timeline(artwork),
        "sales": list(
            Sale.objects.filter(edition__artwork=artwork)
            .select_related("edition", "buyer", "seller")
            .order_by("at")
        ),
    }


class ProjectProgress(NamedTuple):
    project: LandProject
    funded: int  # local cents of the trust's raised money that fill this project
    percent: int


class TrustTotals(NamedTuple):
    trust: LandTrust
    raised: int
    goal: int
    percent: int
    projects: list[ProjectProgress]
    by_artwork: list[tuple[str, str, int]]  # (artwork id, title, cents)
    by_artist: list[tuple[str, int]]  # (artist's name, cents)
    by_month: list[tuple[date, int]]


def _percent(part: int, whole: int) -> int:
    return min(100, part * 100 // whole) if whole > 0 else 0


def trust_totals(trust: LandTrust) -> TrustTotals:
    """What the trust raised through art: in all, by artwork, by artist and by month; its
    projects fill in rank order."""
    sales = Sale.objects.filter(trust=trust)
    raised = sales.aggregate(total=Sum("trust_amount"))["total"] or 0
    by_artwork = [
        (str(row["edition__artwork"]), row["edition__artwork__title"], row["total"])
        for row in sales.values("edition__artwork", "edition__artwork__title")
        .annotate(total=Sum("trust_amount"))
        .order_by("-total")
    ]
    by_artist: dict[str, int] = defaultdict(int)
    for row in sales.values("edition__artwork__artist__display_name").annotate(
        total=Sum("trust_amount")
    ):
        by_artist[row["edition__artwork__artist__display_name"]] += row["total"]
    by_month = [
        (row["month"].date() if hasattr(row["month"], "date") else row["month"], row["total"])
        for row in sales.annotate(month=TruncMonth("at"))
        .values("month")
        .annotate(total=Sum("trust_amount"))
        .order_by("month")
    ]
    projects, left = [], raised
    for project in LandProject.objects.filter(trust=trust).order_by("rank", "created_at"):
        funded = min(left, project.goal)
        left -= funded
        projects.append(ProjectProgress(project, funded, _percent(funded, project.goal)))
    goal = sum(p.project.goal for p in projects)
    return TrustTotals(
        trust=trust,
        raised=raised,
        goal=goal,
        percent=_percent(raised, goal),
        projects=projects,
        by_artwork=by_artwork,
        by_artist=sorted(by_artist.items(), key=lambda item: -item[1]),
        by_month=by_month,
    )


def trusts(community: Community) -> QuerySet[LandTrust]:
    return LandTrust.objects.filter(community=community).select_related("organization")


def artist_profile(member: Member) -> ArtistProfile | None:
    return (
        ArtistProfile.objects.filter(member=member)
        .select_related("preferred_trust__organization")
        .first()
    )


def token_metadata(edition: Edition, photo_url: str, page_url: str) -> dict[str, Any]:
    """The token's metadata in the ERC-721 / OpenSea schema, with the image's content hashes."""
    artwork = edition.artwork
    photo = artwork.photos.order_by("created_at").first()
    attributes = [
        {"trait_type": "Maker", "value": artwork.maker},
        {"trait_type": "Date", "value": artwork.made},
        {"trait_type": "Materials and techniques", "value": artwork.materials},
        {"trait_type": "Measurements", "value": artwork.measurements},
        {"trait_type": "Edition", "value": edition.number, "max_value": artwork.editions},
        {"trait_type": "Land trust", "value": artwork.trust.organization.name},
        {"trait_type": "Royalty (basis points)", "value": artwork.royalty_bps},
    ]
    metadata: dict[str, Any] = {
        "name": f"{artwork.title} ({edition.number}/{artwork.editions})",
        "description": artwork.description or artwork.title,
        "external_url": page_url,
        "attributes": attributes,
    }
    if photo is not None:
        metadata |= {
            "image": photo_url,
            "image_sha256": photo.sha256,
            "image_ipfs": f"ipfs://{photo.cid}",
        }
    return metadata


def sales_seen_by(viewer: Member) -> QuerySet[Sale]:
    """Every sale of the community for officers and admins; the viewer's own (as buyer or seller)
    for everyone else. Newest first."""
    found = Sale.objects.filter(community=viewer.community)
    if not may(viewer, "art.sales.view", viewer.community):
        found = found.filter(Q(buyer=viewer) | Q(seller=viewer))
    return found.select_related(
        "edition__artwork", "buyer", "seller", "trust__organization"
    ).order_by("-at")


def sales_paying(member: Member) -> QuerySet[Sale]:
    """Every sale that paid the member: as seller, as the work's artist, or as an edition's
    original investor (a resale's royalty). Newest first."""
    return (
        Sale.objects.filter(
            Q(seller=member)
            | Q(edition__artwork__artist=member)
            | Q(edition__original_investor=member, kind=SaleKind.RESALE)
        )
        .select_related("edition__artwork", "buyer")
        .order_by("-at")
    )


def sales_bought(member: Member) -> QuerySet[Sale]:
    return (
        Sale.objects.filter(buyer=member)
        .select_related("edition__artwork", "seller")
        .order_by("-at")
    )


def handoffs_waiting(member: Member) -> list[Handoff]:
    """Hand-offs the member takes part in and has not confirmed yet, oldest first."""
    return list(
        Handoff.objects.filter(Q(released_by=member) | Q(received_by=member))
        .exclude(confirmations__member=member)
        .select_related("artwork", "released_by", "received_by", "received_for")
        .order_by("created_at")
    )


def chain_tasks(community_id: UUID, state: str | None = None) -> QuerySet[ChainTask]:
    """What the chain must do after each sale, oldest first (`state="pending"`: what waits)."""
    tasks = ChainTask.objects.filter(community_id=community_id)
    if state:
        tasks = tasks.filter(state=state)
    return tasks.select_related("edition__artwork", "to_member").order_by("created_at", "id")
