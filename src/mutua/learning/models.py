"""Workshops: programs a school runs, their sessions, registrations with a waitlist, attendance.

A **program** (cooking, nutrition, health, growing food) belongs to one `school` organization; its
educators run it. A **session** is one meeting of a program: when, where, how many seats, who
teaches, in which language, what access and childcare it offers, and what the instructor is paid.
A session carries its program's organization, so a role checked on a session counts in that
school only (`community.permissions`).

A **registration** is one member's place for `seats` people (a parent with a child is one
registration for two seats, served or waiting as one entry). Its status moves:

    registered ──────────────────────────────► cancelled
    waiting ──► offered ──► registered          (accepted before `offer_expires_at`)
       │           ├──────► expired             (not accepted in time; the next entry is offered)
       │           └──────► declined
       └──────► cancelled

Registered and offered registrations hold seats; their seats never add up to more than the
session's capacity. The services keep that under a lock on the session's row; a trigger in the
database refuses a write that would break it all the same (`migrations/sql/`).

**Attendance** (one row per registration, append-only) is what the educator checks in. **Payouts**
are the local dollars the school paid for a session: the instructor's fee (once per session) and
the attendance credit a program may set (once per attendance). Each names its ledger transfer,
whose id derives from what it pays for, so a retry can never pay twice; a unique constraint says
so again. **Reminders** record the reminder mail sent for a registration, once.

Database invariants: capacity and seats are positive; a session ends after it starts; one live
registration per member and session; an offer has its expiry, and only an offer has one; seats
held never exceed capacity (trigger); attendance, payouts and reminders are append-only, and
unique per thing they record.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Community, Organization
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager

MAX_GROUP = 6  # seats one registration may take (a parent with children)


class ProgramKind(models.TextChoices):
    COOKING = "cooking", _("Cooking")
    NUTRITION = "nutrition", _("Nutrition")
    HEALTH = "health", _("Health")
    GROWING = "growing", _("Growing food")


class Program(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programs"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ProgramKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    attendance_credit = models.BigIntegerField(
        _("credit for attending (local cents)"),
        default=0,
        help_text=_("Paid once per attendance from the school's wallet; 0 for none."),
    )
    # With a co-op named, the credit is given as a voucher spendable only there (paid from the
    # school's wallet all the same, `coop.services.voucher_fund`), valid for `REWARD_DAYS` days
    # (`services.attendance`).
    reward_coop = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("give the credit as a voucher at"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Program]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title"], name="learning_program_title_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProgramKind.values), name="learning_program_kind"
            ),
            models.CheckConstraint(
                condition=Q(attendance_credit__gte=0), name="learning_program_credit_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("seats"))
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instructor"),
    )
    language = models.CharField(_("language"), max_length=40, default="English")
    accessibility = models.TextField(_("accessibility notes"), blank=True)
    childcare = models.BooleanField(_("childcare offered"), default=False)
    instructor_fee = models.BigIntegerField(_("instructor's fee (local cents)"), default=0)
    offer_hours = models.PositiveIntegerField(_("hours to accept a freed seat"), default=24)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Session]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="learning_session_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="learning_session_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(instructor_fee__gte=0), name="learning_session_fee_positive"
            ),
            models.CheckConstraint(
                condition=Q(offer_hours__gt=0), name="learning_session_offer_hours_positive"
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.program_id} {self.starts_at:%Y-%m-%d %H:%M}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waitlist")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Offer declined")
    EXPIRED = "expired", _("Offer expired")


# Statuses that hold seats; statuses of a live registration (one per member and session at most).
HOLDING = (RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED)
LIVE = (*HOLDING, RegistrationStatus.WAITING)


class Registration(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    note = models.CharField(_("who is coming"), max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[Registration]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_GROUP), name="learning_seats_in_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="learning_status_known"
            ),
            models.CheckConstraint(
                condition=(~Q(status="offered") | Q(offer_expires_at__isnull=False))
                & (~Q(status="waiting") | Q(offer_expires_at__isnull=True)),
                name="learning_offer_has_expiry",
            ),
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=Q(status__in=["registered", "waiting", "offered"]),
                name="learning_one_live_registration",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.member_id} x {self.seats} ({self.status})"

    @property
    def organization_id(self) -> object:
        """The school, for role checks (`community.permissions`)."""
        return self.session.organization_id


class Attendance(models.Model):
    """Checked in by an educator; append-only (a mistake stays, with who made it)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="attendance"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveSmallIntegerField(_("people present"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_in_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Attendance]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_GROUP),
                name="learning_attendance_seats_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"attended {self.registration_id}"


class PayoutKind(models.TextChoices):
    INSTRUCTOR = "instructor", _("Instructor's fee")
    ATTENDANCE = "attendance", _("Credit for attending")


class Payout(models.Model):
    """Local dollars the school paid for a session; append-only, once per session, member, kind."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="payouts")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=PayoutKind.choices)
    amount = models.BigIntegerField()
    transfer_id = models.UUIDField(unique=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Payout]" = CommunityScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member", "kind"], name="learning_payout_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="learning_payout_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=PayoutKind.values), name="learning_payout_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} to {self.member_id}"


class Reminder(models.Model):
    """A reminder mail sent for a registration: recorded before it leaves, so never sent twice."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="reminder"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Reminder]" = CommunityScopedManager()

    def __str__(self) -> str:
        return f"reminder for {self.registration_id}"


class CalendarFeed(models.Model):
    """A member's secret calendar address: whoever holds it reads that member's workshops (and the
    community's sessions), nothing else; a new one replaces the old."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[CalendarFeed]" = CommunityScopedManager()

    def __str__(self) -> str:
        return f"calendar feed of {self.member_id}"
