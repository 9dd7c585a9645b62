"""Art for land: Community Land Trusts, artists, artworks in community custody, their editions
(NFTs), sales in local dollars, and each artwork's provenance log.

A **land trust** (`LandTrust`) is the profile of an organization of kind `land_trust`: its mission
and its land or housing **projects**, each with a funding goal. Money the trust raises through art
fills its projects in their rank order (the thermometer on its public page).

An **artist** (`ArtistProfile`) picks a preferred trust. An **artwork** records the physical
object by the Object ID fields, its **photos** (each stored with its SHA-256 and its IPFS CIDv1),
its terms, and how many **editions** (ERC-721 tokens) are sold. The terms are fixed once the
artwork is published (a trigger refuses to change them), so every buyer buys under the terms they
saw:

- `price`: the primary price of one edition, in local cents;
- `artist_bps` of a primary sale go to the artist, the rest to the trust through the credit union
  (the trust receives the remainder of the floor division);
- `royalty_bps`: the resale royalty, `price * royalty_bps // 10000`;
- `investor_bps`, `artist_royalty_bps`, `union_bps` (summing to 10000): how a royalty is shared
  between the edition's original investor, the artist and the credit union; the credit union is
  the remainder recipient, and passes its share on to the trust.

**Custody** of the physical work is an append-only list of **hand-offs**: who released it, who
received it (optionally on behalf of an organization, e.g. the trust), where, when, and its
condition. A hand-off counts once both parties have confirmed it (`HandoffConfirmation`, one
append-only row per party; a trigger refuses a confirmation by anyone else).

An **edition** is sold first by the artist (**primary sale**); its first buyer is its **original
investor** for good (a trigger refuses to change it once set). Holders may **list** an edition and
another member may buy it (**resale**). Each **sale** is an append-only row whose parts sum to its
price (CHECK), written in the same database transaction as its linked ledger batch. What the chain
must do afterwards (mint, move a token) is a **chain task**, retried until it succeeds.

The **provenance** log (`ProvenanceEvent`) is hash-chained per artwork and append-only.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutua.community.models import Community, Organization
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager

TOTAL_BPS = 10_000
MAX_EDITIONS = 100
MAX_ROYALTY_BPS = 5_000


class LandTrust(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="land_trust"
    )
    mission = models.TextField(_("mission"), blank=True)
    place = models.CharField(_("where it holds land"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[LandTrust]" = CommunityScopedManager()

    class Meta:
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return self.organization.name


class ProjectKind(models.TextChoices):
    LAND = "land", _("Land")
    HOUSING = "housing", _("Housing")
    GARDEN = "garden", _("Garden or green space")


class LandProject(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    trust = models.ForeignKey(LandTrust, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ProjectKind.choices)
    description = models.TextField(_("description"), blank=True)
    goal = models.BigIntegerField(_("funding goal (local cents)"))
    rank = models.PositiveSmallIntegerField(_("funded in this order"), default=1)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[LandProject]" = CommunityScopedManager()

    class Meta:
        ordering = ["rank", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(goal__gt=0), name="art_project_goal_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ArtistProfile(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="artist_profile"
    )
    statement = models.TextField(_("artist's statement"), blank=True)
    preferred_trust = models.ForeignKey(
        LandTrust,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred land trust"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[ArtistProfile]" = CommunityScopedManager()

    def __str__(self) -> str:
        return str(self.member_id)


class Artwork(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="artworks"
    )
    trust = models.ForeignKey(LandTrust, on_delete=models.PROTECT, related_name="artworks")
    # Object ID.
    title = models.CharField(_("title"), max_length=200)
    object_type = models.CharField(_("type of object"), max_length=120)
    maker = models.CharField(_("maker"), max_length=200)
    made = models.CharField(_("date or period"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    materials = models.CharField(_("materials and techniques"), max_length=300)
    measurements = models.CharField(_("measurements"), max_length=200)
    inscriptions = models.TextField(_("inscriptions and markings"), blank=True)
    features = models.TextField(_("distinguishing features"), blank=True)
    description = models.TextField(_("about the work"), blank=True)
    # Terms, fixed once published.
    editions = models.PositiveSmallIntegerField(_("editions"))
    price = models.BigIntegerField(_("price of an edition (local cents)"))
    artist_bps = models.PositiveIntegerField(_("artist's part of a first sale (basis points)"))
    royalty_bps = models.PositiveIntegerField(_("resale royalty (basis points)"))
    investor_bps = models.PositiveIntegerField(_("original investor's part of a royalty"))
    artist_royalty_bps = models.PositiveIntegerField(_("artist's part of a royalty"))
    union_bps = models.PositiveIntegerField(_("credit union's part of a royalty"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Artwork]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(editions__gte=1, editions__lte=MAX_EDITIONS),
                name="art_artwork_editions_range",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="art_artwork_price_positive"),
            models.CheckConstraint(
                condition=Q(artist_bps__lte=TOTAL_BPS), name="art_artwork_artist_bps_range"
            ),
            models.CheckConstraint(
                condition=Q(royalty_bps__lte=MAX_ROYALTY_BPS), name="art_artwork_royalty_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    investor_bps__gte=0,
                    artist_royalty_bps__gte=0,
                    union_bps__gte=0,
                    union_bps=TOTAL_BPS - F("investor_bps") - F("artist_royalty_bps"),
                ),
                name="art_artwork_royalty_shares_sum",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Photo(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    artwork = models.ForeignKey(Artwork, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="art/photos/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    cid = models.CharField(_("IPFS CID"), max_length=100)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Photo]" = CommunityScopedManager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.cid


class Handoff(models.Model):
    """One change of hands of the physical work; counts once both parties confirmed it."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    artwork = models.ForeignKey(Artwork, on_delete=models.PROTECT, related_name="handoffs")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_for = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received on behalf of"),
    )
    place = models.CharField(_("where"), max_length=200)
    at = models.DateTimeField(_("when"))
    condition = models.TextField(_("condition"))
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Handoff]" = CommunityScopedManager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(released_by=F("received_by")), name="art_handoff_two_parties"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artwork_id}: {self.released_by_id} -> {self.received_by_id}"


class HandoffConfirmation(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    handoff = models.ForeignKey(Handoff, on_delete=models.PROTECT, related_name="confirmations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[HandoffConfirmation]" = CommunityScopedManager()

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["handoff", "member"], name="art_confirm_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} confirms {self.handoff_id}"


class Edition(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    artwork = models.ForeignKey(Artwork, on_delete=models.PROTECT, related_name="edition_set")
    number = models.PositiveSmallIntegerField(_("edition number"))
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    original_investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    token_id = models.PositiveIntegerField(null=True, blank=True)
    splitter = models.CharField(_("royalty splitter address"), max_length=42, blank=True)
    chain_received = models.DecimalField(
        _("royalties received on chain (wei)"), max_digits=78, decimal_places=0, default=0
    )

    objects: "models.Manager[Edition]" = CommunityScopedManager()

    class Meta:
        ordering = ["artwork", "number"]
        constraints = [
            models.UniqueConstraint(fields=["artwork", "number"], name="art_edition_number"),
            models.CheckConstraint(
                condition=Q(holder__isnull=True) | Q(original_investor__isnull=False),
                name="art_edition_sold_has_investor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artwork_id} #{self.number}"


class ListingStatus(models.TextChoices):
    OPEN = "open", _("For sale")
    SOLD = "sold", _("Sold")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Listing(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="listings")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    price = models.BigIntegerField(_("price (local cents)"))
    status = models.CharField(max_length=10, choices=ListingStatus.choices, default="open")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[Listing]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="art_listing_price_positive"),
            models.UniqueConstraint(
                fields=["edition"], condition=Q(status="open"), name="art_listing_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id} at {self.price}"


class SaleKind(models.TextChoices):
    PRIMARY = "primary", _("First sale")
    RESALE = "resale", _("Resale")


class Sale(models.Model):
    """A settled sale: its parts in local cents sum to its price, and it never changes."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="sales")
    kind = models.CharField(max_length=10, choices=SaleKind.choices)
    listing = models.OneToOneField(
        Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="sale"
    )
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    price = models.BigIntegerField()
    royalty = models.BigIntegerField(default=0)
    seller_amount = models.BigIntegerField(default=0)
    investor_amount = models.BigIntegerField(default=0)
    artist_amount = models.BigIntegerField(default=0)
    trust_amount = models.BigIntegerField(default=0)
    trust = models.ForeignKey(LandTrust, on_delete=models.PROTECT, related_name="sales")
    transfer_ids = models.JSONField(default=list)
    at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Sale]" = CommunityScopedManager()

    class Meta:
        ordering = ["at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    price__gt=0,
                    royalty__gte=0,
                    seller_amount__gte=0,
                    investor_amount__gte=0,
                    artist_amount__gte=0,
                    trust_amount__gte=0,
                ),
                name="art_sale_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    price=F("seller_amount")
                    + F("investor_amount")
                    + F("artist_amount")
                    + F("trust_amount")
                ),
                name="art_sale_parts_sum_to_price",
            ),
            models.CheckConstraint(
                condition=Q(kind="primary", royalty=0, investor_amount=0, seller_amount=0)
                | Q(
                    kind="resale",
                    royalty=F("investor_amount") + F("artist_amount") + F("trust_amount"),
                ),
                name="art_sale_royalty_parts",
            ),
            models.CheckConstraint(condition=~Q(seller=F("buyer")), name="art_sale_not_to_oneself"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.edition_id} at {self.price}"


class ChainTaskKind(models.TextChoices):
    MINT = "mint", _("Mint the token")
    MOVE = "move", _("Move the token")


class ChainTaskState(models.TextChoices):
    PENDING = "pending", _("Waiting for the chain")
    DONE = "done", _("Done on chain")


class ChainTask(models.Model):
    """What the chain must do after a sale committed; retried in order until it is done."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="chain_tasks")
    sale = models.OneToOneField(Sale, on_delete=models.PROTECT, related_name="chain_task")
    kind = models.CharField(max_length=10, choices=ChainTaskKind.choices)
    to_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=ChainTaskState.choices, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    tx_hash = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[ChainTask]" = CommunityScopedManager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.edition_id}: {self.state}"


class ArtContract(models.Model):
    """The community's edition contract (one ERC-721 for all its artworks)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.OneToOneField(Community, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=42)
    deployed_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[ArtContract]" = CommunityScopedManager()

    def __str__(self) -> str:
        return self.address


class EventKind(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("provenance event", "Registered")
    PUBLISHED = "published", _("Published")
    PHOTO = "photo", _("Photo added")
    HANDOFF = "handoff", _("Hand-off proposed")
    CUSTODY = "custody", _("Hand-off confirmed")
    SALE = "sale", _("First sale")
    RESALE = "resale", _("Resale")
    ROYALTY = "royalty", _("Royalty paid")
    TRUST_PAYOUT = "trust_payout", _("Paid to the land trust")
    MINT = "mint", _("Minted on chain")
    TOKEN_MOVED = "token_moved", _("Token moved on chain")
    CHAIN_ROYALTY = "chain_royalty", _("Royalty received on chain")
    LISTED = "listed", _("Listed for sale")
    UNLISTED = "unlisted", _("Listing withdrawn")


class ProvenanceEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    artwork = models.ForeignKey(Artwork, on_delete=models.PROTECT, related_name="provenance")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    content = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[ProvenanceEvent]" = CommunityScopedManager()

    class Meta:
        ordering = ["artwork", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["artwork", "seq"], name="art_provenance_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.artwork_id} #{self.seq} {self.kind}"
