"""The community gardens' part of `mutua demo`: Mill Street Community Garden (stewarded by the
`steward` login) with sixteen plots on its map, this year's season, plot holders who paid the
season's fee from their wallets, a waitlist (households without a garden first), two coming work
days with tasks, ten weeks of harvests, and the last few days' picks given to the pantry. Heron
Bend Garden gets its map and season from the `admin` login, with nobody on it yet.

Everything goes through the gardens services (and so through the ledger and the aid app for the
fees and the pantry lots), with `now=` set to the day it happened where history matters. Only
harvests still within their shelf life are given to the pantry, so the demo adds no expired lots
to the pantry's shelves. The `member` login has not applied yet: the browser test applies for her.

Deterministic (`random.Random(SEED)`) and written once: a second `mutua demo` finds Mill Street's
garden and leaves the gardens as they are.
"""

# The demo's randomness makes up data; it guards no secret.
# ruff: noqa: S311

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from mutua.community.demo import Progress
from mutua.community.models import Community, Member, Organization
from mutua.core.errors import MutuaError
from mutua.currency import selectors as currency_selectors
from mutua.currency import services as currency_services
from mutua.gardens import services
from mutua.gardens.models import Assignment, Crop, Garden, Season

DEMO_STEPS = 3  # layout, waitlist and plots, work days and harvests
SEED = 1871
MILL, HERON = "mill-street-garden", "heron-bend-garden"
# name, keeps for (days), grams per pantry unit, cold
CROPS = (
    ("Tomatoes", 7, 500, False),
    ("Kale", 5, 250, True),
    ("Zucchini", 10, 1000, False),
    ("Potatoes", 60, 1000, False),
    ("Green beans", 5, 500, True),
    ("Herbs", 4, 100, True),
)
HOLDERS = 10  # plot holders who got a plot this season
WAITING = 5  # still in line


def populate(community: Community, progress: Progress) -> None:
    steward = Member.objects.filter(community=community, handle="steward").first()
    organizations = {o.slug: o for o in Organization.objects.filter(community=community)}
    if steward is None or MILL not in organizations or Garden.objects.exists():
        for label in ("garden plots", "garden waitlist", "garden harvests"):
            progress(label, 0, 0)
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    garden, season, crops = _mill_street(community, steward, organizations[MILL], today)
    admin = Member.objects.filter(community=community, handle="admin").first()
    if admin is not None and HERON in organizations:
        _heron_bend(admin, organizations[HERON], today)
    progress("garden plots", garden.plots.count(), garden.plots.count())
    holders = _waitlist(community, steward, garden, season, rng)
    progress("garden waitlist", garden.applications.count(), garden.applications.count())
    _work_days(steward, garden, holders, today)
    made = _harvests(steward, crops, holders, rng, today)
    progress("garden harvests", made, made)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _mill_street(
    community: Community, steward: Member, org: Organization, today: date
) -> tuple[Garden, Season, list[Crop]]:
    currency = currency_selectors.currency_of(community)
    officer = Member.objects.filter(community=community, handle="officer").first()
    if (
        officer is not None
        and currency_selectors.wallet_of(currency=currency, organization=org) is None
    ):
        currency_services.wallet_open(currency=currency, officer=officer, organization=org)
    garden = services.garden_create(
        actor=steward, organization=org, plot_fee=1500, household_priority=True, columns=12, rows=6
    )
    for row in range(2):
        for column in range(6):
            services.plot_create(
                actor=steward,
                garden=garden,
                label=f"{'AB'[row]}{column + 1}",
                size_m2=12,
                place=services.Place(column * 2, row * 3, 2, 2),
            )
    for index, label in enumerate(("C1", "C2", "C3", "C4")):
        services.plot_create(
            actor=steward,
            garden=garden,
            label=label,
            size_m2=6,
            place=services.Place(index * 3, 5, 2, 1),
        )
    season = services.season_create(
        actor=steward,
        garden=garden,
        name=f"Season {today.year}",
        starts=today - timedelta(days=150),
        ends=today + timedelta(days=120),
    )
    crops = [
        services.crop_create(
            actor=steward,
            garden=garden,
            name=name,
            shelf_life_days=days,
            unit_grams=grams,
            cold=cold,
        )
        for name, days, grams, cold in CROPS
    ]
    return garden, season, crops


def _heron_bend(admin: Member, org: Organization, today: date) -> None:
    garden = services.garden_create(actor=admin, organization=org, columns=10, rows=4)
    for index in range(5):
        services.plot_create(
            actor=admin,
            garden=garden,
            label=f"R{index + 1}",
            size_m2=8,
            place=services.Place(index * 2, 0, 2, 3),
        )
    services.season_create(
        actor=admin,
        garden=garden,
        name=f"Season {today.year}",
        starts=today - timedelta(days=150),
        ends=today + timedelta(days=120),
    )


def _waitlist(
    community: Community, steward: Member, garden: Garden, season: Season, rng: random.Random
) -> list[Member]:
    """Applications over the spring; the first in line got plots and paid, the rest wait."""
    people = list(
        Member.objects.filter(community=community, household__isnull=False)
        .exclude(handle="member")
        .order_by("handle")
    )
    chosen = rng.sample(people, min(len(people), HOLDERS + WAITING))
    start = season.starts
    holders = []
    for index, person in enumerate(chosen):
        applied = _at(start + timedelta(days=index * 3), 9 + index % 8)
        application = services.application_create(
            actor=person, season=season, without_garden=rng.random() < 0.5, now=applied
        )
        if index >= HOLDERS:
            continue
        offer = services.plot_offer(
            actor=steward,
            application=application,
            plot=garden.plots.order_by("label")[index],
            now=applied + timedelta(days=1),
        )
        try:  # at the demo's own time: the ledger is never backdated (published digests)
            services.offer_accept(actor=person, assignment=offer)
        except MutuaError:
            continue  # a wallet too short for the fee: the offer stays open
        holders.append(person)
    return holders


def _work_days(steward: Member, garden: Garden, holders: list[Member], today: date) -> None:
    plans = (
        (
            5,
            "Winter clean-up",
            (("Turn the compost", 4), ("Mulch the paths", 6), ("Mend the shed", 2)),
        ),
        (19, "Seed swap and planning", (("Sort the seed library", 3), ("Make tea", 2))),
    )
    for days, title, tasks in plans:
        starts = _at(today + timedelta(days=days), 10)
        day = services.workday_create(
            actor=steward,
            garden=garden,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
        )
        for index, (task_title, places) in enumerate(tasks):
            task = services.task_create(
                actor=steward, work_day=day, title=task_title, capacity=places
            )
            for person in holders[index : index + min(places - 1, 2)]:
                services.task_join(actor=person, task=task)


def _harvests(
    steward: Member, crops: list[Crop], holders: list[Member], rng: random.Random, today: date
) -> int:
    plots = {
        a.member_id: a.plot
        for a in Assignment.objects.filter(member__in=holders, status="active").select_related(
            "plot"
        )
    }
    made = 0
    for weeks_ago in range(10, -1, -1):
        for person in holders:
            if rng.random() < 0.4:
                continue
            day = today - timedelta(days=weeks_ago * 7 + rng.randint(0, 3))
            crop = rng.choice(crops)
            entry = services.HarvestEntry(
                crop=crop,
                weight_g=rng.randint(2, 30) * 100,
                day=day,
                plot=plots.get(person.pk),
                grower=person,
            )
            donate = day >= today - timedelta(days=crop.shelf_life_days - 1) and rng.random() < 0.6
            services.harvest_log(
                actor=steward, entry=entry, donate=donate, now=min(_at(day, 17), timezone.now())
            )
            made += 1
    return made
