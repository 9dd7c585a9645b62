"""Community gardens: plots, seasons, the waitlist, work days and the harvest log.

A **garden** is the garden side of one community organization of kind `garden` (its stewards are
that organization's `garden_steward`s, its money is that organization's local-dollar wallet). Its
**plots** sit on a small grid (`x`, `y`, `w`, `h` in cells, `columns` by `rows`) drawn as the plot
map. A **season** is a window of dates; plots are assigned per season.

Members **apply** for a garden and season and wait on its list: first come first served, and when
the garden says so, households without a garden of their own go first (`waitlist_order` in
`waitlist.py`, a pure function). A steward **offers** a waiting applicant a free plot; the
applicant **accepts** (and pays the garden's plot fee, if any, from their wallet to the garden's
through the ledger) or **declines**. A declined offer or a **returned** plot is offered at once to
the next person on the list.

**Work days** hold **tasks** with a capacity; members sign up once per task. A task's `taken`
counter moves with each sign-up in the same transaction, and a CHECK keeps it within capacity, so
two people racing for the last place cannot both get it.

The **harvest log** is append-only (triggers, migration 0002): crop, grams, day, plot, grower. A
harvest donated to the pantry points at the stock lot the aid app received for it, written in the
same transaction, so a donation is one step and never edited afterwards.

Database invariants: one application per member, garden and season (unique); a plot holds at most
one live offer or assignment per season, and an application at most one (partial unique indexes);
an accepted assignment with a fee names its ledger transfer; plots have a positive size and place;
a season ends after it starts; harvests weigh more than zero grams; a donated harvest names its lot
and only a donated one does; task sign-ups are once per member and never above capacity.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Community, Household, Organization
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager

MAX_GRID = 60  # cells on a side of the plot map


class Garden(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="garden"
    )
    plot_fee = models.BigIntegerField(
        _("plot fee per season (local cents)"), default=0, help_text=_("0: plots are free.")
    )
    household_priority = models.BooleanField(
        _("households without a garden go first"), default=False
    )
    columns = models.PositiveSmallIntegerField(_("map columns"), default=12)
    rows = models.PositiveSmallIntegerField(_("map rows"), default=8)

    objects: "models.Manager[Garden]" = CommunityScopedManager()

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.CheckConstraint(condition=Q(plot_fee__gte=0), name="gardens_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(columns__gte=1, columns__lte=MAX_GRID, rows__gte=1, rows__lte=MAX_GRID),
                name="gardens_grid_size",
            ),
        ]

    def __str__(self) -> str:
        return self.organization.name

    @property
    def name(self) -> str:
        return self.organization.name


class Plot(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="plots")
    label = models.CharField(_("label"), max_length=20)
    size_m2 = models.PositiveIntegerField(_("size (m²)"))
    x = models.PositiveSmallIntegerField(_("column"))
    y = models.PositiveSmallIntegerField(_("row"))
    w = models.PositiveSmallIntegerField(_("width (cells)"), default=1)
    h = models.PositiveSmallIntegerField(_("height (cells)"), default=1)

    objects: "models.Manager[Plot]" = CommunityScopedManager()

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "label"], name="gardens_plot_label"),
            models.CheckConstraint(condition=Q(size_m2__gt=0), name="gardens_plot_size"),
            models.CheckConstraint(
                condition=Q(w__gte=1, h__gte=1, x__gte=0, y__gte=0), name="gardens_plot_place"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Season(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="seasons")
    name = models.CharField(_("name"), max_length=60)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))

    objects: "models.Manager[Season]" = CommunityScopedManager()

    class Meta:
        ordering = ["-starts"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "name"], name="gardens_season_name"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="gardens_season_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a plot")
    ASSIGNED = "assigned", _("Has a plot")
    DECLINED = "declined", _("Declined")
    RETURNED = "returned", _("Returned the plot")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Did not answer the offer")


class Application(models.Model):
    """A place on the waitlist of one garden for one season."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="applications")
    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    without_garden = models.BooleanField(_("our household has no garden"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.WAITING
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: "models.Manager[Application]" = CommunityScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["garden", "season", "member"], name="gardens_apply_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="gardens_application_status"
            ),
        ]

    def __str__(self) -> str:
        return f"application {self.member_id} for {self.season_id}"


class AssignmentStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACTIVE = "active", _("Assigned")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Offer withdrawn")
    RETURNED = "returned", _("Returned")


LIVE = (AssignmentStatus.OFFERED, AssignmentStatus.ACTIVE)


class Assignment(models.Model):
    """A plot for one season: offered to an application, then accepted (active) or declined (or
    withdrawn by a steward when nobody answers); an active one may be returned. The fee is what
    the garden charged when it was offered."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="assignments")
    plot = models.ForeignKey(Plot, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="assignments"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.OFFERED
    )
    fee = models.BigIntegerField(default=0)
    transfer_id = models.UUIDField(null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects: "models.Manager[Assignment]" = CommunityScopedManager()

    class Meta:
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "plot"],
                condition=Q(status__in=["offered", "active"]),
                name="gardens_plot_once_per_season",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["offered", "active"]),
                name="gardens_one_plot_per_application",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values), name="gardens_assignment_status"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="gardens_assignment_fee"),
            models.CheckConstraint(
                condition=Q(fee=0)
                | Q(status__in=["offered", "declined", "withdrawn"])
                | Q(transfer_id__isnull=False),
                name="gardens_fee_paid_when_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plot_id} in {self.season_id} ({self.status})"


class WorkDay(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="work_days")
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects: "models.Manager[WorkDay]" = CommunityScopedManager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="gardens_workday_window"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """A shared job of a work day (weeding the herb bed, turning the compost) with places."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    work_day = models.ForeignKey(WorkDay, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("task"), max_length=120)
    capacity = models.PositiveSmallIntegerField(_("places"), default=4)
    taken = models.PositiveSmallIntegerField(default=0)

    objects: "models.Manager[Task]" = CommunityScopedManager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="gardens_task_capacity"),
            models.CheckConstraint(
                condition=Q(taken__gte=0, taken__lte=F("capacity")), name="gardens_task_not_full"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskSignup(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="signups")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["task", "member"], name="gardens_signup_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.task_id}"


class Crop(models.Model):
    """What a garden grows, how long it keeps once picked (the pantry lot's expiry), and how many
    grams make one pantry unit of it."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="crops")
    name = models.CharField(_("crop"), max_length=60)
    shelf_life_days = models.PositiveSmallIntegerField(_("keeps for (days)"))
    unit_grams = models.PositiveIntegerField(_("grams per pantry unit"), default=1000)
    cold = models.BooleanField(_("keep in the fridge"), default=False)

    objects: "models.Manager[Crop]" = CommunityScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "name"], name="gardens_crop_name"),
            models.CheckConstraint(condition=Q(shelf_life_days__gte=1), name="gardens_crop_keeps"),
            models.CheckConstraint(condition=Q(unit_grams__gte=1), name="gardens_crop_unit"),
        ]

    def __str__(self) -> str:
        return self.name


class Harvest(models.Model):
    """Append-only: what was picked, as it was logged."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="harvests")
    season = models.ForeignKey(
        Season, null=True, blank=True, on_delete=models.PROTECT, related_name="harvests"
    )
    plot = models.ForeignKey(
        Plot, null=True, blank=True, on_delete=models.PROTECT, related_name="harvests"
    )
    crop = models.ForeignKey(Crop, on_delete=models.PROTECT, related_name="harvests")
    weight_g = models.BigIntegerField(_("weight (grams)"))
    day = models.DateField(_("picked on"))
    grower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)
    donated = models.BooleanField(_("given to the pantry"), default=False)
    lot = models.ForeignKey(
        "aid.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    units = models.PositiveIntegerField(default=0)

    objects: "models.Manager[Harvest]" = CommunityScopedManager()

    class Meta:
        ordering = ["-day", "-logged_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="gardens_harvest_weight"),
            models.CheckConstraint(
                condition=Q(donated=True, lot__isnull=False, units__gt=0)
                | Q(donated=False, lot__isnull=True, units=0),
                name="gardens_donation_has_lot",
            ),
        ]
        indexes = [models.Index(fields=["garden", "day"])]

    def __str__(self) -> str:
        return f"{self.weight_g} g of {self.crop_id} on {self.day}"
