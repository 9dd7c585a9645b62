"""The art-for-land part of `mutua demo`: Riverbend Community Land Trust with two projects, three
artists besides the `artist` login (Imani Clarke), six works with photos, first sales,
resales and works in the trust's custody.

Everything goes through the art services, at the demo's own time (the ledger is never
backdated). Investors buy local dollars at the credit union first (`exchange_in`). The `investor`
login (Victor Lang) holds editions, one of them listed; the `clt` login (Ruth Abernathy) has works
in custody and a hand-off waiting for her confirmation. The demo's chain is the in-process one:
the serving process replays it from the database on first use (`chainwork`).

Written once: a second `mutua demo` finds the works and leaves them as they are.
"""

import io
import random
from uuid import uuid5

from django.utils import timezone
from PIL import Image, ImageDraw

from mutua.art import sales, services
from mutua.art.models import Artwork, Edition, LandTrust
from mutua.community.demo import Progress
from mutua.community.models import Community, Member, Organization
from mutua.community.roles import Role
from mutua.community.services import membership_grant
from mutua.currency import selectors as currency_selectors
from mutua.currency import services as currency_services

SEED = 7
DEMO_STEPS = 1
INVESTORS = 4  # the `investor` and `collector` logins and two household members
PROJECTS = (
    ("Mill Row homes", "housing", "Six permanently affordable homes on Mill Row.", 1_500_000),
    ("Heron Bend garden lot", "garden", "Buy the lot beside Heron Bend Garden for good.", 800_000),
)
# artist handle, title, type, made, materials, measurements, editions, price, palette
WORKS = (
    (
        "artist",
        "River at Dusk",
        "painting",
        "2026",
        "oil on linen",
        "60 x 80 cm",
        5,
        40_000,
        ((32, 54, 92), (230, 140, 60)),
    ),
    (
        "artist",
        "Canal Street Market",
        "painting",
        "2025",
        "acrylic on board",
        "40 x 50 cm",
        3,
        25_000,
        ((40, 110, 70), (240, 210, 90)),
    ),
    (
        "amara-okoye",
        "Grandmother's Hands",
        "photograph",
        "2024",
        "silver gelatin print",
        "30 x 40 cm",
        4,
        18_000,
        ((20, 20, 20), (220, 220, 210)),
    ),
    (
        "amara-okoye",
        "Heron Bend Morning",
        "photograph",
        "2026",
        "pigment print",
        "50 x 70 cm",
        3,
        22_000,
        ((120, 160, 200), (250, 240, 220)),
    ),
    (
        "theo-lindqvist",
        "Mill Wheel",
        "sculpture",
        "2023",
        "reclaimed oak and iron",
        "45 x 45 x 30 cm",
        2,
        60_000,
        ((90, 60, 40), (180, 180, 170)),
    ),
    (
        "mei-tanaka",
        "Seed Library",
        "textile",
        "2025",
        "indigo-dyed cotton, hand stitched",
        "120 x 90 cm",
        4,
        30_000,
        ((30, 40, 110), (235, 235, 245)),
    ),
)


def _photo(rng: random.Random, palette: tuple[tuple[int, int, int], ...]) -> bytes:
    """An abstract picture standing in for a photo of the work."""
    image = Image.new("RGB", (480, 360), palette[0])
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(480), rng.randrange(360)
        r = rng.randrange(20, 110)
        colour = tuple(
            int(a + (b - a) * rng.random()) for a, b in zip(palette[0], palette[1], strict=True)
        )
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _member(community: Community, handle: str) -> Member | None:
    return Member.objects.filter(community=community, handle=handle).first()


def _wallet_funded(community: Community, officer: Member, member: Member, dollars: int) -> None:
    currency = currency_selectors.currency_of(community)
    wallet = currency_selectors.wallet_of(currency=currency, member=member)
    if wallet is None:
        wallet = currency_services.wallet_open(currency=currency, officer=officer, member=member)
    currency_services.exchange_in(
        currency=currency,
        officer=officer,
        account=wallet,
        dollars=dollars,
        id=uuid5(member.pk, "art-demo-funds"),
    )


def _org_wallet(community: Community, officer: Member, organization: Organization) -> None:
    currency = currency_selectors.currency_of(community)
    if currency_selectors.wallet_of(currency=currency, organization=organization) is None:
        currency_services.wallet_open(currency=currency, officer=officer, organization=organization)


def populate(community: Community, progress: Progress) -> None:
    land = Organization.objects.filter(community=community, slug="land-trust").first()
    union = Organization.objects.filter(community=community, slug="credit-union").first()
    steward, officer = _member(community, "clt"), _member(community, "officer")
    if land is None or union is None or steward is None or officer is None:
        progress("art for land", 0, 0)
        return
    if Artwork.objects.filter(community=community).exists():
        progress("art for land", Artwork.objects.filter(community=community).count(), 0)
        return
    for organization in (land, union):
        _org_wallet(community, officer, organization)
    investors = _investors(community)
    for investor in investors:
        if investor.handle not in ("investor", "collector"):
            membership_grant(actor=None, member=investor, role=Role.INVESTOR)
        _wallet_funded(community, officer, investor, 500_000)
    trust = services.trust_profile_set(
        actor=steward,
        organization=land,
        mission="Holds land in trust for permanently affordable homes and community gardens, "
        "governed by residents, neighbours and public members in equal thirds.",
        place="Mill Row and Heron Bend, Riverbend",
    )
    for rank, (name, kind, description, goal) in enumerate(PROJECTS, start=1):
        services.project_add(
            actor=steward,
            trust=trust,
            fields=services.ProjectFields(name, kind, goal, description, rank),
        )
    works = _works(community, trust, officer)
    _trade(works, investors, steward, land)
    progress("art for land", len(works), len(works))


def _investors(community: Community) -> list[Member]:
    logins = [m for h in ("investor", "collector") if (m := _member(community, h)) is not None]
    others = Member.objects.filter(community=community, household__isnull=False).exclude(
        handle__in=["member", "investor", "collector"]
    )
    return logins + list(others.order_by("handle")[: INVESTORS - len(logins)])


def _works(community: Community, trust: LandTrust, officer: Member) -> list[Artwork]:
    rng = random.Random(SEED)  # noqa: S311 (a picture, not a secret)
    works = []
    for handle, title, kind, made, materials, size, editions, price, palette in WORKS:
        artist = _member(community, handle)
        if artist is None:
            continue
        if not hasattr(artist, "artist_profile"):
            services.artist_profile_set(
                actor=artist,
                statement=f"{artist.display_name} makes work about Riverbend and its people.",
                preferred_trust=trust,
            )
            currency = currency_selectors.currency_of(community)
            if currency_selectors.wallet_of(currency=currency, member=artist) is None:
                currency_services.wallet_open(currency=currency, officer=officer, member=artist)
        artwork = services.artwork_register(
            actor=artist,
            fields=services.ObjectFields(
                title=title,
                object_type=kind,
                maker=artist.display_name,
                made=made,
                materials=materials,
                measurements=size,
                subject="Riverbend",
                inscriptions="signed and dated on the back",
                features="",
                description=f"{title}: {materials}, {made}. Sold to fund the land trust.",
            ),
            terms=services.Terms(
                editions=editions,
                price=price,
                artist_bps=6_000,
                royalty_bps=1_000,
                investor_bps=4_000,
                artist_royalty_bps=4_000,
                union_bps=2_000,
            ),
        )
        services.photo_add(actor=artist, artwork=artwork, data=_photo(rng, palette), caption=title)
        services.artwork_publish(actor=artist, artwork=artwork)
        works.append(artwork)
    return works


def _trade(
    works: list[Artwork], investors: list[Member], steward: Member, land: Organization
) -> None:
    """First sales of most editions, resales of a few, custody to the trust for all but one work
    (whose hand-off waits for the steward's confirmation), and one open listing."""
    now = timezone.now()
    for n, artwork in enumerate(works):
        editions = list(Edition.objects.filter(artwork=artwork).order_by("number"))
        for k, edition in enumerate(editions[:-1]):
            sales.edition_buy(buyer=investors[(n + k) % len(investors)], edition=edition)
        fields = services.HandoffFields(
            released_by=artwork.artist,
            received_by=steward,
            received_for=land,
            place="Riverbend CLT office, 12 Mill Row",
            at=now,
            condition="excellent" if n % 2 else "good; light wear on the frame",
        )
        handoff = services.handoff_propose(actor=artwork.artist, artwork=artwork, fields=fields)
        if n != len(works) - 1:
            services.handoff_confirm(actor=steward, handoff=handoff)
    for artwork in works[:3]:
        sold = Edition.objects.filter(artwork=artwork, holder__isnull=False).first()
        if sold is None or sold.holder is None:
            continue
        buyer = next(i for i in investors if i.pk != sold.holder_id)
        listing = sales.listing_create(
            actor=sold.holder, edition=sold, price=artwork.price * 3 // 2
        )
        sales.listing_buy(buyer=buyer, listing=listing)
    victor = next((i for i in investors if i.handle == "investor"), None)
    held = Edition.objects.filter(holder=victor).first() if victor else None
    if victor is not None and held is not None:
        sales.listing_create(actor=victor, edition=held, price=held.artwork.price * 2)
