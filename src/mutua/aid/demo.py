"""The mutual aid part of `mutua demo`: Riverbend Mutual Aid's pantry with twelve weeks of history.

Everything goes through the aid services, with `now=` set to the day it happened, so the history
is what the app itself would have written: weekly donations and a purchase from the co-op paid
from the aid fund, households' requests (some for the standard box), an allocation run each
week, pick-ups, spoiled and expired stock, and volunteer hours. Today's state gives every page
something to show: new requests waiting for a run (the `member` login's household among them),
low and expiring stock, a quarantined expired lot, and a route for the `volunteer` login.

Deterministic (`random.Random(SEED)`) and written once: a second `mutua demo` finds the items and
leaves the pantry as it is.
"""

# The demo's randomness makes up data; it guards no secret.
# ruff: noqa: S311

import contextlib
import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from mutua.aid import services
from mutua.aid.models import AidRequest, BoxLine, Item, Location, RequestStatus, StockLevel
from mutua.community import services as community_services
from mutua.community.demo import MEMBER_HOUSEHOLD, STREETS, Progress
from mutua.community.models import Community, Household, Member, Organization
from mutua.community.roles import OrganizationKind
from mutua.core.errors import MutuaError

DEMO_STEPS = 3  # pantry, history, today
SEED = 1871
WEEKS = 12
CENTRE = (42.4440, -76.5019)  # the pantry, on Mill Street

# name, kind, category, unit, allergens, diets, storage, low-stock, value (cents), shelf life (days)
ITEMS: tuple[tuple[str, str, str, str, list[str], list[str], str, int, int, int | None], ...] = (
    (
        "Rice",
        "food",
        "grains",
        "1 kg bag",
        [],
        ["vegan", "vegetarian", "halal", "kosher"],
        "ambient",
        20,
        250,
        365,
    ),
    (
        "Pasta",
        "food",
        "grains",
        "500 g pack",
        ["gluten"],
        ["vegan", "vegetarian", "halal"],
        "ambient",
        20,
        180,
        365,
    ),
    (
        "Rolled oats",
        "food",
        "grains",
        "1 kg bag",
        ["gluten"],
        ["vegan", "vegetarian", "halal", "kosher", "diabetic"],
        "ambient",
        10,
        300,
        300,
    ),
    (
        "Black beans",
        "food",
        "canned",
        "400 g can",
        [],
        ["vegan", "vegetarian", "halal", "kosher", "diabetic"],
        "ambient",
        30,
        120,
        540,
    ),
    (
        "Chopped tomatoes",
        "food",
        "canned",
        "400 g can",
        [],
        ["vegan", "vegetarian", "halal", "kosher", "low_sodium"],
        "ambient",
        30,
        110,
        540,
    ),
    (
        "Tuna",
        "food",
        "canned",
        "160 g can",
        ["fish"],
        ["halal", "kosher", "diabetic"],
        "ambient",
        15,
        220,
        720,
    ),
    (
        "Peanut butter",
        "food",
        "spreads",
        "340 g jar",
        ["peanuts"],
        ["vegan", "vegetarian", "halal"],
        "ambient",
        8,
        400,
        270,
    ),
    (
        "Milk",
        "food",
        "dairy",
        "1 l carton",
        ["milk"],
        ["vegetarian", "halal", "kosher"],
        "cold",
        12,
        150,
        10,
    ),
    (
        "Eggs",
        "food",
        "dairy",
        "box of 6",
        ["eggs"],
        ["vegetarian", "halal", "kosher"],
        "cold",
        10,
        320,
        21,
    ),
    (
        "Apples",
        "food",
        "produce",
        "1 kg bag",
        [],
        ["vegan", "vegetarian", "halal", "kosher", "diabetic", "low_sodium"],
        "ambient",
        10,
        280,
        20,
    ),
    (
        "Infant formula",
        "baby",
        "infant-formula",
        "800 g tin",
        ["milk"],
        [],
        "ambient",
        4,
        1800,
        400,
    ),
    ("Nappies (size 3)", "baby", "nappies", "pack of 30", [], [], "ambient", 4, 900, None),
    ("Soap", "hygiene", "hygiene", "bar", [], [], "ambient", 10, 90, None),
    ("Toothpaste", "hygiene", "hygiene", "tube", [], [], "ambient", 10, 150, 730),
    ("Paracetamol", "medicine", "medicine", "pack of 16", [], [], "ambient", 5, 120, 900),
    ("Glucose test strips", "medicine", "medicine", "box of 50", [], [], "ambient", 3, 1500, 365),
)
# The standard box, per person: (item name or "category:..." , units per person, minimum)
BOX: tuple[tuple[str, str, int], ...] = (
    ("Rice", "0.5", 1),
    ("category:canned", "2", 2),
    ("Pasta", "0.5", 1),
    ("Milk", "1", 1),
    ("Apples", "0.5", 1),
    ("Soap", "0.25", 1),
)


def populate(community: Community, progress: Progress) -> None:
    coordinator = Member.objects.filter(community=community, handle="coordinator").first()
    if coordinator is None or Item.objects.filter(community=community).exists():
        progress("aid pantry", 0, 0)
        progress("aid history", 0, 0)
        progress("aid today", 0, 0)
        return
    rng = random.Random(SEED)
    now = timezone.now()
    pantry = _pantry(community, coordinator)
    progress("aid pantry", len(ITEMS), len(ITEMS))
    households = _places(community, rng)
    weeks = _history(community, coordinator, pantry, households, rng, now)
    progress("aid history", weeks, weeks)
    made = _today(community, coordinator, pantry, households, rng, now)
    progress("aid today", made, made)


def _pantry(community: Community, coordinator: Member) -> dict[str, Location]:
    shelf = services.location_create(
        actor=coordinator, community=community, name="Pantry shelves", kind="shelf"
    )
    shelf.latitude, shelf.longitude = CENTRE
    shelf.save(update_fields=["latitude", "longitude"])
    places = {
        "ambient": shelf,
        "cold": services.location_create(
            actor=coordinator, community=community, name="Pantry fridge", kind="fridge"
        ),
        "warehouse": services.location_create(
            actor=coordinator, community=community, name="Church hall store", kind="warehouse"
        ),
    }
    for name, kind, category, unit, allergens, diets, storage, low, value, _life in ITEMS:
        services.item_create(
            actor=coordinator,
            community=community,
            name=name,
            kind=kind,
            category=category,
            unit=unit,
            allergens=allergens,
            diets=diets,
            storage=storage,
            low_stock=low,
            unit_value=value,
        )
    items = {i.name: i for i in Item.objects.filter(community=community)}
    for target, per_person, minimum in BOX:
        is_category = target.startswith("category:")
        BoxLine.objects.create(
            community=community,
            item=None if is_category else items[target],
            category=target.removeprefix("category:") if is_category else "",
            per_person=Decimal(per_person),
            minimum=minimum,
        )
    return places


def _places(community: Community, rng: random.Random) -> list[Household]:
    """Coordinates and cross streets for every household, within about 3 km of the pantry."""
    households = list(Household.objects.filter(community=community).order_by("name"))
    for household in households:
        community_services.household_needs_update(
            actor=None,
            household=household,
            latitude=round(CENTRE[0] + rng.uniform(-0.025, 0.025), 5),
            longitude=round(CENTRE[1] + rng.uniform(-0.033, 0.033), 5),
            cross_streets=" & ".join(rng.sample(STREETS, 2)),
        )
    return households


def _receive_week(
    coordinator: Member,
    places: dict[str, Location],
    items: list[Item],
    rng: random.Random,
    when: datetime,
) -> None:
    donors = ("St Anne's food drive", "Riverbend Bakery", "Mill Street Garden", "A neighbour")
    lines = []
    for item in rng.sample(items, 7):
        life = next(spec[9] for spec in ITEMS if spec[0] == item.name)
        expires = (
            None if life is None else (when + timedelta(days=rng.randint(life // 3, life))).date()
        )
        place = places["cold"] if item.storage == "cold" else places["ambient"]
        lines.append(
            services.IntakeLine(
                item=item, quantity=rng.randint(8, 30), location=place, expires=expires
            )
        )
    donor = rng.choice(donors)
    kind = "garden" if "Garden" in donor else ("business" if "Bakery" in donor else "person")
    services.intake_record(
        actor=coordinator,
        community=coordinator.tenant,
        donor=services.Donor(name=donor, kind=kind),
        lines=lines,
        now=when,
    )


def _ask(
    households: list[Household], rng: random.Random, count: int, when: datetime
) -> list[AidRequest]:
    made = []
    items = list(Item.objects.filter(kind__in=["food", "hygiene", "baby"]))
    for household in rng.sample(households, count):
        # Most ask for themselves; those without a login ask through a volunteer on the phone.
        actor = household.members.first() or Member.objects.get(
            community_id=household.community_id, handle="volunteer"
        )
        box = rng.random() < 0.6
        lines = (
            []
            if box
            else [
                services.LineWish(quantity=rng.randint(1, 4), item=item)
                for item in rng.sample(items, rng.randint(2, 4))
            ]
        )
        try:
            made.append(
                services.request_create(
                    actor=actor,
                    household=household,
                    lines=lines,
                    box=box,
                    fulfilment="delivery" if rng.random() < 0.3 else "pick_up",
                    now=when,
                )
            )
        except MutuaError:
            continue
    return made


def _history(
    community: Community,
    coordinator: Member,
    places: dict[str, Location],
    households: list[Household],
    rng: random.Random,
    now: datetime,
) -> int:
    items = list(Item.objects.filter(community=community).order_by("name"))
    volunteer = Member.objects.get(community=community, handle="volunteer")
    for week in range(WEEKS, 0, -1):
        monday = now - timedelta(weeks=week)
        _receive_week(coordinator, places, items, rng, monday)
        requests = _ask(households, rng, rng.randint(6, 10), monday + timedelta(hours=2))
        if not requests:
            continue
        run = services.run_preview(
            actor=coordinator,
            community=community,
            pickup=(monday + timedelta(days=2)).date(),
            request_ids=[r.id for r in requests],
            now=monday + timedelta(days=1),
        )
        services.run_commit(actor=coordinator, run=run, now=monday + timedelta(days=1, hours=1))
        for request in AidRequest.objects.filter(
            id__in=[r.id for r in requests], status="allocated"
        ):
            services.request_pickup(
                actor=volunteer, request=request, now=monday + timedelta(days=2, hours=3)
            )
        _waste(coordinator, rng, monday + timedelta(days=4))
        services.hours_log(
            actor=volunteer,
            day=(monday + timedelta(days=2)).date(),
            minutes=rng.choice((120, 180, 240)),
            kind=rng.choice(("packing", "pantry", "driving")),
            today=now.date(),
        )
    services.expired_dispose(actor=coordinator, community=community, now=now - timedelta(days=3))
    return WEEKS


def _waste(coordinator: Member, rng: random.Random, when: datetime) -> None:
    """Now and then a carton spoils in the fridge."""
    if rng.random() > 0.5:
        return
    level = (
        StockLevel.objects.filter(
            community_id=coordinator.tenant_id, on_hand__gt=1, location__kind="fridge"
        )
        .select_related("lot__item", "location")
        .order_by("lot__expires")
        .first()
    )
    if level is not None:
        services.stock_adjust(
            actor=coordinator,
            lot=level.lot,
            location=level.location,
            change=-1,
            reason="spoiled",
            note="carton split",
            now=when,
        )


def _today(
    community: Community,
    coordinator: Member,
    places: dict[str, Location],
    households: list[Household],
    rng: random.Random,
    now: datetime,
) -> int:
    items = {i.name: i for i in Item.objects.filter(community=community)}
    # A lot of milk that expired yesterday: quarantined on the fridge's shelf, never offered.
    services.stock_receive(
        actor=coordinator,
        item=items["Milk"],
        quantity=6,
        location=places["cold"],
        expires=(now - timedelta(days=1)).date(),
        today=(now - timedelta(days=8)).date(),
        now=now - timedelta(days=8),
    )
    # A purchase from the co-op, paid from the aid fund in local dollars.
    coop = Organization.objects.filter(community=community, kind=OrganizationKind.FOOD_COOP).first()
    # If the aid fund cannot pay, the demo goes on without the purchase.
    if coop is not None:
        with contextlib.suppress(MutuaError):
            services.intake_record(
                actor=coordinator,
                community=community,
                donor=services.Donor(name=coop.name, kind="coop", seller=coop, amount=12_000),
                lines=[
                    services.IntakeLine(
                        item=items["Rice"],
                        quantity=40,
                        location=places["warehouse"],
                        expires=(now + timedelta(days=300)).date(),
                    ),
                    services.IntakeLine(
                        item=items["Black beans"],
                        quantity=48,
                        location=places["warehouse"],
                        expires=(now + timedelta(days=400)).date(),
                    ),
                ],
                note="Bulk order",
            )
    _deliveries(community, coordinator, places, households, rng, now)
    member_household = next(h for h in households if h.name == MEMBER_HOUSEHOLD)
    member = Member.objects.get(community=community, handle="member")
    waiting = [services.request_create(actor=member, household=member_household, box=True, now=now)]
    others = [h for h in households if h.pk != member_household.pk]
    waiting += _ask(others, rng, 8, now - timedelta(hours=5))
    _shifts(community, coordinator, now)
    return len(waiting)


def _deliveries(
    community: Community,
    coordinator: Member,
    places: dict[str, Location],
    households: list[Household],
    rng: random.Random,
    now: datetime,
) -> None:
    """Four packed deliveries routed to the `volunteer` login for today."""
    volunteer = Member.objects.get(community=community, handle="volunteer")
    chosen = rng.sample(households, 4)
    requests = []
    for household in chosen:
        requests.append(
            services.request_create(
                actor=volunteer,
                household=household,
                box=True,
                fulfilment="delivery",
                now=now - timedelta(days=1),
            )
        )
    run = services.run_preview(
        actor=coordinator,
        community=community,
        pickup=now.date(),
        request_ids=[r.id for r in requests],
    )
    services.run_commit(actor=coordinator, run=run)
    if AidRequest.objects.filter(status=RequestStatus.ALLOCATED, fulfilment="delivery").exists():
        services.routes_plan(
            actor=coordinator,
            depot=places["ambient"],
            day=now.date(),
            drivers=[services.DriverShift(driver=volunteer, capacity=12, starts=600, ends=780)],
        )


def _shifts(community: Community, coordinator: Member, now: datetime) -> None:
    volunteer = Member.objects.get(community=community, handle="volunteer")
    start = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
    for days, kind, hours in (
        (1, "packing", 3),
        (2, "pantry", 4),
        (3, "driving", 3),
        (8, "packing", 3),
    ):
        shift = services.shift_create(
            actor=coordinator,
            community=community,
            kind=kind,
            starts_at=start + timedelta(days=days),
            ends_at=start + timedelta(days=days, hours=hours),
            places=4,
        )
        if days < 3:
            services.shift_join(actor=volunteer, shift=shift)
