"""A garden's harvest report: grams by crop and by season, and what went to the pantry.

Counted from the append-only harvest log, so a past season's figures never change. Weights are
grams; pantry units are the units the aid app received (`Harvest.units`). `report_csv_rows` gives
the same figures as rows for spreadsheets.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.permissions import require
from mutua.gardens.models import Garden, Harvest, Season


@dataclass
class CropLine:
    crop: str
    grams: int = 0
    donated_grams: int = 0
    donated_units: int = 0
    harvests: int = 0


@dataclass
class HarvestReport:
    garden: Garden
    season: Season | None
    crops: list[CropLine] = field(default_factory=list)
    # season name -> grams (every season of the garden, whatever `season` filters)
    seasons: dict[str, int] = field(default_factory=dict)

    @property
    def grams(self) -> int:
        return sum(line.grams for line in self.crops)

    @property
    def donated_grams(self) -> int:
        return sum(line.donated_grams for line in self.crops)

    @property
    def kg(self) -> float:
        return round(self.grams / 1000, 1)

    @property
    def donated_kg(self) -> float:
        return round(self.donated_grams / 1000, 1)

    @property
    def donated_units(self) -> int:
        return sum(line.donated_units for line in self.crops)


def harvest_report(*, viewer: Member, garden: Garden, season: Season | None) -> HarvestReport:
    require(viewer, "gardens.report", garden)
    report = HarvestReport(garden=garden, season=season)
    harvests = Harvest.objects.filter(garden=garden)
    if season is not None:
        harvests = harvests.filter(season=season)
    lines: dict[str, CropLine] = {}
    rows = harvests.values("crop__name", "donated").annotate(
        grams=Sum("weight_g"), units=Sum("units"), n=Count("id")
    )
    for row in rows:
        line = lines.setdefault(row["crop__name"], CropLine(row["crop__name"]))
        line.grams += row["grams"] or 0
        line.harvests += row["n"] or 0
        if row["donated"]:
            line.donated_grams += row["grams"] or 0
            line.donated_units += row["units"] or 0
    report.crops = sorted(lines.values(), key=lambda line: (-line.grams, line.crop))
    by_season = (
        Harvest.objects.filter(garden=garden)
        .values("season__name", "season__starts")
        .annotate(grams=Sum("weight_g"))
        .order_by("season__starts")
    )
    for row in by_season:
        name = row["season__name"] or _("No season")
        report.seasons[name] = report.seasons.get(name, 0) + (row["grams"] or 0)
    return report


def report_csv_rows(report: HarvestReport) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            _("crop"),
            _("harvests"),
            _("grams"),
            _("grams to the pantry"),
            _("pantry units"),
        ]
    ]
    for line in report.crops:
        rows.append([line.crop, line.harvests, line.grams, line.donated_grams, line.donated_units])
    rows.append([_("total"), "", report.grams, report.donated_grams, report.donated_units])
    rows.append([])
    rows.append([_("season"), _("grams")])
    rows.extend([[name, grams] for name, grams in report.seasons.items()])
    return rows
