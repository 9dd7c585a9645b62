"""Communities and the people in them.

A **community** (a town or neighbourhood, with its own local currency) is the unit of tenancy: every
other row here belongs to exactly one, and is read through a manager scoped to the current
community (see `mutua.core.tenancy`). A **member** is a person's account in one community (a person
active in two communities has two accounts; this keeps every query single-tenant). Members hold
**roles** through memberships, either in an organization (coordinator of the aid group, staff of
the co-op ...) or in the community as a whole (admin, artist, investor).

A **household**'s size is ordinary data; its private needs (diet, allergens, an urgent medical flag,
the address) live in a separate row, **HouseholdNeeds**, that no page or endpoint reads except
through `selectors.household_needs_get`, which checks the viewer's role and writes an audit entry.

Database invariants: handles are unique (case-insensitively); a household has at least one person; a
role is held at most once per organization; a community-wide role has no organization; an
invitation is used at most once.
"""

from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.roles import COMMUNITY_ROLES, Allergen, Diet, OrganizationKind, Role
from mutua.core.errors import NotFound
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager

handle_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])?$",
    _(
        "A handle has 3 to 30 lowercase letters, digits, '-' or '_', "
        "and starts and ends with a letter or digit."
    ),
    code="invalid_handle",
)


class Community(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    currency_name = models.CharField(_("local currency name"), max_length=60)
    currency_code = models.CharField(
        _("local currency code"),
        max_length=8,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Use 2 to 8 capital letters."))],
    )
    default_language = models.CharField(_("default language"), max_length=8, default="en")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="organizations")
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    objects: "models.Manager[Organization]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="organization_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values), name="organization_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="households")
    name = models.CharField(_("name"), max_length=120)
    size = models.PositiveSmallIntegerField(_("people in the household"), default=1)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Household]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=1), name="household_size_positive")
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdNeeds(models.Model):
    """Private: read only through `selectors.household_needs_get` (role check + audit entry)."""

    household = models.OneToOneField(
        Household, primary_key=True, on_delete=models.CASCADE, related_name="needs"
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    diets = models.JSONField(_("dietary restrictions"), default=list, blank=True)
    allergens = models.JSONField(_("allergens"), default=list, blank=True)
    urgent_medical = models.BooleanField(_("urgent medical need"), default=False)
    notes = models.TextField(_("other needs"), blank=True)
    address = models.TextField(_("address"), blank=True)
    # Where deliveries go: entered by a coordinator (no online geocoding). The cross streets are
    # what a delivery shows to anyone but its own driver.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    cross_streets = models.CharField(_("cross streets"), max_length=120, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[HouseholdNeeds]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("household needs")
        verbose_name_plural = _("household needs")

    def __str__(self) -> str:
        return f"needs of {self.household_id}"

    # What a household tells about itself: the fields its form edits, the API shows and the
    # member's data download holds.
    DETAILS = (
        "diets",
        "allergens",
        "urgent_medical",
        "notes",
        "address",
        "latitude",
        "longitude",
        "cross_streets",
    )

    def details(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.DETAILS}

    def diet_labels(self) -> list[str]:
        return [str(Diet(code).label) for code in self.diets if code in Diet.values]

    def allergen_labels(self) -> list[str]:
        return [str(Allergen(code).label) for code in self.allergens if code in Allergen.values]


class MemberManager(BaseUserManager["Member"]):
    """Unscoped on purpose: sign-in looks a handle up before any community is known.

    Pages and endpoints read members through `selectors.member_list`/`member_get`, which filter by
    the viewer's community.
    """

    def get_by_natural_key(self, username: str | None) -> "Member":
        return self.get(handle__iexact=username)

    def create_user(self, handle: str, password: str | None = None, **fields: Any) -> "Member":
        member = self.model(handle=handle.lower(), **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, handle: str, password: str | None = None, **fields: Any) -> "Member":
        fields.setdefault("display_name", handle)
        return self.create_user(handle, password, is_staff=True, is_superuser=True, **fields)


class Member(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        help_text=_("Empty only for the platform operator's accounts."),
    )
    handle = models.CharField(
        _("handle"), max_length=30, unique=True, validators=[handle_validator]
    )
    display_name = models.CharField(_("display name"), max_length=120)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="en")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = MemberManager()

    USERNAME_FIELD = "handle"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="member_handle_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(community__isnull=False) | models.Q(is_superuser=True),
                name="member_in_a_community",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} (@{self.handle})"

    @property
    def tenant_id(self) -> UUID:
        """The member's community; platform operators belong to none and reach no community data."""
        if self.community_id is None:
            raise NotFound(str(_("Platform operator accounts belong to no community.")))
        return self.community_id

    @property
    def tenant(self) -> Community:
        """The member's community (see `tenant_id`)."""
        if self.community is None:
            raise NotFound(str(_("Platform operator accounts belong to no community.")))
        return self.community

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Membership]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_known"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    organization__isnull=True, role__in=sorted(r.value for r in COMMUNITY_ROLES)
                )
                | models.Q(organization__isnull=False)
                & ~models.Q(role__in=sorted(r.value for r in COMMUNITY_ROLES)),
                name="membership_role_fits_place",
            ),
            models.UniqueConstraint(
                fields=["member", "organization", "role"],
                condition=models.Q(organization__isnull=False),
                name="membership_once_per_organization",
            ),
            models.UniqueConstraint(
                fields=["member", "role"],
                condition=models.Q(organization__isnull=True),
                name="membership_once_per_community",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.role} @ {self.organization_id or 'community'}"


class Invitation(models.Model):
    """A single-use link that lets a new person create an account with a role already granted."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    email = models.EmailField(_("email"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[Invitation]" = CommunityScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"invitation as {self.role} until {self.expires_at:%Y-%m-%d}"


class JoinRequest(models.Model):
    """Someone asked to join; their account stays inactive until a coordinator or admin approves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="join_request")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[JoinRequest]" = CommunityScopedManager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | ~models.Q(status="pending") & models.Q(decided_at__isnull=False),
                name="join_request_decided_once",
            )
        ]

    def __str__(self) -> str:
        return f"join request {self.status}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
