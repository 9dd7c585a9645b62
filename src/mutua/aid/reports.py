"""The aid group's report: households served, what went out by category and month, stock value
and days to expiry, volunteer hours, and what was wasted and why, for a window of days.

Everything is counted from the append-only history (movements, request events, hours), so the
report of a past month never changes. Quantities are units; values are local-dollar cents at each
item's declared value per unit. `report_csv_rows` gives the same figures as rows for spreadsheets.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mutua.aid.access import aid_require
from mutua.aid.models import (
    WASTE_REASONS,
    AidRequest,
    HoursLog,
    LocationKind,
    MovementKind,
    RequestStatus,
    StockLevel,
    StockMovement,
)
from mutua.community.models import Member

# Days-to-expiry bands for the stock on hand.
EXPIRY_BANDS: tuple[tuple[str, int | None], ...] = (
    ("expired", 0),
    ("0-7", 8),
    ("8-30", 31),
    ("31-90", 91),
    ("90+", None),
)


@dataclass
class AidReport:
    since: date
    until: date
    households_served: int = 0
    requests_fulfilled: int = 0
    units_distributed: int = 0
    # month "YYYY-MM" -> category -> units
    distributed: dict[str, dict[str, int]] = field(default_factory=dict)
    stock_value: int = 0  # cents, usable stock on the shelves
    expiry: dict[str, int] = field(default_factory=dict)  # band -> units on hand
    volunteer_minutes: dict[str, int] = field(default_factory=dict)  # shift kind -> minutes
    wasted: dict[str, int] = field(default_factory=dict)  # reason -> units
    wasted_value: int = 0

    def categories(self) -> list[str]:
        return sorted({c for month in self.distributed.values() for c in month})


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=zone)
    return start, datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)


def _band(days: int | None) -> str:
    for name, below in EXPIRY_BANDS:
        if below is None or (days is not None and days < below):
            return name
    return EXPIRY_BANDS[-1][0]


def _stock(report: AidReport, community_id: Any, today: date) -> None:
    levels = (
        StockLevel.objects.filter(community_id=community_id, on_hand__gt=0)
        .exclude(location__kind=LocationKind.HELD)
        .values("on_hand", "lot__expires", "lot__item__unit_value")
    )
    report.expiry = {name: 0 for name, _below in EXPIRY_BANDS}
    for row in levels:
        expires = row["lot__expires"]
        days = None if expires is None else (expires - today).days
        band = "expired" if days is not None and days < 0 else _band(days)
        report.expiry[band] += row["on_hand"]
        if band != "expired":
            report.stock_value += row["on_hand"] * row["lot__item__unit_value"]


def _distribution(report: AidReport, community_id: Any, start: datetime, end: datetime) -> None:
    out = StockMovement.objects.filter(
        community_id=community_id,
        kind=MovementKind.DISTRIBUTE,
        created_at__gte=start,
        created_at__lt=end,
    )
    months: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        out.annotate(month=TruncMonth("created_at"), category=F("lot__item__category"))
        .values("month", "category")
        .annotate(units=Sum("quantity"))
    )
    for row in rows:
        months[row["month"].strftime("%Y-%m")][row["category"]] = int(row["units"])
        report.units_distributed += int(row["units"])
    report.distributed = dict(sorted(months.items()))
    fulfilled = AidRequest.objects.filter(
        community_id=community_id,
        events__status=RequestStatus.FULFILLED,
        events__at__gte=start,
        events__at__lt=end,
    )
    counts = fulfilled.aggregate(
        requests=Count("id", distinct=True), households=Count("household", distinct=True)
    )
    report.requests_fulfilled = counts["requests"]
    report.households_served = counts["households"]


def _waste_and_hours(report: AidReport, community_id: Any, start: datetime, end: datetime) -> None:
    waste = (
        StockMovement.objects.filter(
            community_id=community_id,
            kind=MovementKind.ADJUST_OUT,
            reason__in=sorted(WASTE_REASONS),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("reason")
        .annotate(units=Sum("quantity"), value=Sum(F("quantity") * F("lot__item__unit_value")))
    )
    for row in waste:
        report.wasted[row["reason"]] = int(row["units"])
        report.wasted_value += int(row["value"] or 0)
    hours = (
        HoursLog.objects.filter(
            community_id=community_id, day__gte=report.since, day__lte=report.until
        )
        .values("kind")
        .annotate(minutes=Sum("minutes"))
    )
    report.volunteer_minutes = {row["kind"]: int(row["minutes"]) for row in hours}


def aid_report(*, viewer: Member, since: date, until: date, today: date | None = None) -> AidReport:
    """The report for the days `since`..`until`, both included; stock figures are as of today."""
    aid_require(viewer, "aid.report", viewer.community)
    report = AidReport(since=since, until=until)
    start, end = _bounds(since, until)
    _distribution(report, viewer.tenant_id, start, end)
    _stock(report, viewer.tenant_id, today or timezone.localdate())
    _waste_and_hours(report, viewer.tenant_id, start, end)
    return report


def report_csv_rows(report: AidReport) -> list[list[str]]:
    """section, key, sub-key, value: one row per figure."""
    rows = [["section", "key", "detail", "value"]]
    rows.append(["households", "served", "", str(report.households_served)])
    rows.append(["requests", "fulfilled", "", str(report.requests_fulfilled)])
    for month, categories in report.distributed.items():
        for category, units in sorted(categories.items()):
            rows.append(["distributed_units", month, category, str(units)])
    rows.append(["stock", "value_cents", "", str(report.stock_value)])
    for band, units in report.expiry.items():
        rows.append(["stock_days_to_expiry", band, "", str(units)])
    for kind, minutes in sorted(report.volunteer_minutes.items()):
        rows.append(["volunteer_minutes", kind, "", str(minutes)])
    for reason, units in sorted(report.wasted.items()):
        rows.append(["wasted_units", reason, "", str(units)])
    rows.append(["wasted", "value_cents", "", str(report.wasted_value)])
    return rows
