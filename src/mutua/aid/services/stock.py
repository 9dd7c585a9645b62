"""Writing the pantry's stock: items, locations, receiving, moving, adjusting and counting.

Every change of a quantity is one `StockMovement` row; the database trigger moves the levels and
refuses a level below zero. The checks here come first so that a person gets a clear message
("only 3 left in Fridge"), and the database's refusal is the last line of defence: if it fires
anyway (another volunteer took the units a moment ago), the whole operation rolls back and the
same message is given.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mutua.aid.access import aid_require
from mutua.aid.models import (
    LOCATION_STORAGE,
    AdjustReason,
    CountLine,
    CountStatus,
    Intake,
    Item,
    ItemKind,
    Location,
    LocationKind,
    Lot,
    MovementKind,
    StockCount,
    StockLevel,
    StockMovement,
    Storage,
)
from mutua.community.models import Community, Member
from mutua.community.roles import Allergen, Diet
from mutua.community.services import coordinates_problems
from mutua.core.errors import MutuaError, Refused, problems_raise
from mutua.core.services import audit_record


@contextmanager
def database_refusals() -> Iterator[None]:
    """Turn the database's stock refusals into the message a person can act on."""
    try:
        yield
    except IntegrityError as error:
        text = str(error)
        if "aid_level_not_negative" in text or "aid_not_in_stock" in text or "on_hand" in text:
            raise Refused(
                _(
                    "There is not enough stock for that any more: someone else used it. "
                    "Reload and try again."
                ),
                code="not_enough_stock",
            ) from error
        raise


# --- items and locations -------------------------------------------------------------------------


def _item_problems(fields: dict[str, Any]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not str(fields.get("name", "")).strip():
        problems["name"] = [_("Please give the item a name.")]
    if fields.get("kind") not in ItemKind.values:
        problems["kind"] = [_("Choose food, medicine, hygiene, baby or other.")]
    if fields.get("storage", Storage.AMBIENT) not in Storage.values:
        problems["storage"] = [_("Choose room temperature, cold or frozen.")]
    unknown = sorted(set(fields.get("allergens", [])) - set(Allergen.values))
    if unknown:
        problems["allergens"] = [_("Unknown allergen: %(v)s") % {"v": ", ".join(unknown)}]
    unknown = sorted(set(fields.get("diets", [])) - set(Diet.values))
    if unknown:
        problems["diets"] = [_("Unknown diet: %(v)s") % {"v": ", ".join(unknown)}]
    if int(fields.get("unit_value", 0)) < 0:
        problems["unit_value"] = [_("A value cannot be negative.")]
    return problems


@transaction.atomic
def item_create(*, actor: Member, community: Community, **fields: Any) -> Item:
    """A new item; `fields` are the model's (name, kind, category, unit, allergens, diets, ...)."""
    aid_require(actor, "aid.stock.manage", community)
    problems_raise(_item_problems(fields), "invalid_item")
    fields["name"] = fields["name"].strip()
    fields["category"] = slugify(str(fields.get("category", ""))) or fields["kind"]
    for key in ("allergens", "diets"):
        fields[key] = sorted(set(fields.get(key, [])))
    if Item.objects.filter(community=community, name__iexact=fields["name"]).exists():
        raise MutuaError(
            _("There is already an item with that name."),
            code="item_exists",
            fields={"name": [_("There is already an item with that name.")]},
        )
    item = Item.objects.create(community=community, **fields)
    audit_record(action="aid.item.created", actor=actor, obj=item)
    return item


@transaction.atomic
def location_create(
    *,
    actor: Member,
    community: Community,
    name: str,
    kind: str,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Location:
    """A storage place; give the pantry its coordinates, since delivery routes start there."""
    aid_require(actor, "aid.stock.manage", community)
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = [_("Please give the location a name.")]
    elif Location.objects.filter(community=community, name__iexact=name.strip()).exists():
        problems["name"] = [_("There is already a location with that name.")]
    if kind not in LocationKind.values or kind == LocationKind.HELD:
        problems["kind"] = [_("Choose shelves, fridge, freezer or warehouse.")]
    if (latitude is None) != (longitude is None):
        problems["latitude"] = [_("Give both coordinates, or neither.")]
    problems.update(coordinates_problems(latitude, longitude))
    problems_raise(problems, "invalid_location")
    location = Location.objects.create(
        community=community, name=name.strip(), kind=kind, latitude=latitude, longitude=longitude
    )
    audit_record(action="aid.location.created", actor=actor, obj=location)
    return location


def held_location(community: Community) -> Location:
    """Where allocated stock waits, packed for its household (one per community)."""
    location, _created = Location.objects.get_or_create(
        community=community, kind=LocationKind.HELD, defaults={"name": _("Packed for households")}
    )
    return location


# --- movements -----------------------------------------------------------------------------------


def _level(lot: Lot, location: Location, *, lock: bool = False) -> int:
    levels = StockLevel.objects.filter(lot=lot, location=location)
    if lock:
        levels = levels.select_for_update()
    found = levels.values_list("on_hand", flat=True).first()
    return int(found or 0)


def _check_quantity(quantity: Any) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise MutuaError(
            _("A quantity is a whole number of units, more than zero."),
            code="invalid_quantity",
            fields={"quantity": [_("A quantity is a whole number of units, more than zero.")]},
        )
    return quantity


def _check_fits(item: Item, location: Location) -> None:
    if item.storage not in LOCATION_STORAGE[location.kind]:
        raise Refused(
            _("%(item)s needs %(storage)s storage; %(location)s does not offer it.")
            % {
                "item": item.name,
                "storage": Storage(item.storage).label.lower(),
                "location": location.name,
            },
            code="wrong_storage",
        )


def _take_check(lot: Lot, location: Location, quantity: int) -> None:
    on_hand = _level(lot, location, lock=True)
    if quantity > on_hand:
        raise Refused(
            _("Only %(n)s of %(item)s (this lot) in %(location)s; %(asked)s asked.")
            % {"n": on_hand, "item": lot.item.name, "location": location.name, "asked": quantity},
            code="not_enough_stock",
        )


def movement_write(
    *,
    actor: Member | None,
    kind: MovementKind,
    lot: Lot,
    quantity: int,
    source: Location | None = None,
    target: Location | None = None,
    now: datetime | None = None,
    **extra: Any,
) -> StockMovement:
    """One movement, checked; the caller holds the transaction. `extra`: reason, note, request."""
    quantity = _check_quantity(quantity)
    if source is not None:
        _take_check(lot, source, quantity)
    if target is not None:
        _check_fits(lot.item, target)
    with database_refusals(), transaction.atomic():
        return StockMovement.objects.create(
            community_id=lot.community_id,
            kind=kind,
            lot=lot,
            quantity=quantity,
            from_location=source,
            to_location=target,
            actor=actor,
            created_at=now or timezone.now(),
            **extra,
        )


@transaction.atomic
def stock_receive(
    *,
    actor: Member,
    item: Item,
    quantity: int,
    location: Location,
    expires: date | None = None,
    intake: Intake | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Lot:
    """New units arrive as a new lot: refused if they have already expired."""
    aid_require(actor, "aid.stock.receive", item)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if expires is not None and expires < today:
        raise Refused(
            _("%(item)s expired on %(date)s: expired food is not taken into stock.")
            % {"item": item.name, "date": expires.isoformat()},
            code="already_expired",
        )
    if location.kind == LocationKind.HELD:
        raise Refused(_("Receive into a shelf, fridge, freezer or warehouse."), code="wrong_place")
    lot = Lot.objects.create(
        community_id=item.community_id, item=item, expires=expires, intake=intake, received_at=now
    )
    movement_write(
        actor=actor, kind=MovementKind.RECEIVE, lot=lot, quantity=quantity, target=location, now=now
    )
    return lot


@transaction.atomic
def stock_transfer(
    *, actor: Member, lot: Lot, source: Location, target: Location, quantity: int
) -> StockMovement:
    aid_require(actor, "aid.stock.manage", lot)
    if LocationKind.HELD in (source.kind, target.kind) or source.pk == target.pk:
        raise Refused(_("Move stock between two different storage places."), code="wrong_place")
    return movement_write(
        actor=actor,
        kind=MovementKind.TRANSFER,
        lot=lot,
        quantity=quantity,
        source=source,
        target=target,
    )


@transaction.atomic
def stock_adjust(
    *,
    actor: Member,
    lot: Lot,
    location: Location,
    change: int,
    reason: str,
    note: str = "",
    now: datetime | None = None,
) -> StockMovement:
    """Units found (`change` > 0) or lost, spoiled, expired, recalled (`change` < 0)."""
    aid_require(actor, "aid.stock.manage", lot)
    if reason not in AdjustReason.values:
        raise MutuaError(
            _("Say why the stock changed."),
            code="invalid_reason",
            fields={"reason": [_("Say why the stock changed.")]},
        )
    if change == 0 or isinstance(change, bool) or not isinstance(change, int):
        raise MutuaError(
            _("An adjustment adds or removes at least one unit."), code="invalid_quantity"
        )
    sides = {"target": location} if change > 0 else {"source": location}
    return movement_write(
        actor=actor,
        kind=MovementKind.ADJUST_IN if change > 0 else MovementKind.ADJUST_OUT,
        lot=lot,
        quantity=abs(change),
        reason=reason,
        note=note[:200],
        now=now,
        **sides,
    )


@transaction.atomic
def expired_dispose(*, actor: Member, community: Community, now: datetime | None = None) -> int:
    """Take every expired lot off the shelves as waste (reason: expired). Returns units removed.
    Expired lots are never offered even before this runs; this records that they left."""
    aid_require(actor, "aid.stock.manage", community)
    now = now or timezone.now()
    today = timezone.localdate(now)
    levels = (
        StockLevel.objects.filter(community=community, on_hand__gt=0, lot__expires__lt=today)
        .exclude(location__kind=LocationKind.HELD)
        .select_related("lot__item", "location")
        .order_by("lot_id", "location_id")
    )
    removed = 0
    for level in levels:
        movement_write(
            actor=actor,
            kind=MovementKind.ADJUST_OUT,
            lot=level.lot,
            quantity=level.on_hand,
            source=level.location,
            reason=AdjustReason.EXPIRED,
            now=now,
        )
        removed += level.on_hand
    return removed


# --- physical counts -----------------------------------------------------------------------------


@transaction.atomic
def count_start(*, actor: Member, location: Location) -> StockCount:
    aid_require(actor, "aid.stock.count", location)
    if location.kind == LocationKind.HELD:
        raise Refused(
            _("Packed stock is counted by its requests, not by hand."), code="wrong_place"
        )
    if StockCount.objects.filter(location=location, status=CountStatus.OPEN).exists():
        raise Refused(_("A count of this location is already open."), code="count_open")
    return StockCount.objects.create(
        community_id=location.community_id, location=location, started_by=actor
    )


@transaction.atomic
def count_record(*, actor: Member, count: StockCount, lot: Lot, counted: int) -> CountLine:
    """What a counter found of one lot (entered again, the last entry counts)."""
    aid_require(actor, "aid.stock.count", count)
    if count.status != CountStatus.OPEN:
        raise Refused(_("This count is already finalized."), code="count_final")
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise MutuaError(
            _("A count is a whole number, zero or more."),
            code="invalid_quantity",
            fields={"counted": [_("A count is a whole number, zero or more.")]},
        )
    line, _created = CountLine.objects.update_or_create(
        count=count, lot=lot, defaults={"counted": counted}
    )
    return line


@transaction.atomic
def count_finalize(*, actor: Member, count: StockCount) -> list[StockMovement]:
    """A coordinator accepts the count: each counted lot whose level differs gets a `count_in` or
    `count_out` movement. Lots nobody counted are left as they are."""
    aid_require(actor, "aid.count.finalize", count)
    locked = StockCount.objects.select_for_update().get(pk=count.pk)
    if locked.status != CountStatus.OPEN:
        raise Refused(_("This count is already finalized."), code="count_final")
    moves = []
    for line in locked.lines.select_related("lot__item").order_by("lot_id"):
        on_hand = _level(line.lot, locked.location, lock=True)
        difference = line.counted - on_hand
        if difference:
            found_more = difference > 0
            moves.append(
                movement_write(
                    actor=actor,
                    kind=MovementKind.COUNT_IN if found_more else MovementKind.COUNT_OUT,
                    lot=line.lot,
                    quantity=abs(difference),
                    source=None if found_more else locked.location,
                    target=locked.location if found_more else None,
                    note=_("count of %(date)s") % {"date": locked.started_at.date().isoformat()},
                )
            )
    locked.status, locked.finalized_by, locked.finalized_at = (
        CountStatus.FINAL,
        actor,
        timezone.now(),
    )
    locked.save(update_fields=["status", "finalized_by", "finalized_at"])
    audit_record(
        action="aid.count.finalized", actor=actor, obj=locked, data={"movements": len(moves)}
    )
    return moves
