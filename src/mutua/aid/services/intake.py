"""Writing intake: donations (with a receipt for the donor) and purchases paid from the aid fund in
local dollars, entered by hand or imported from a CSV intake list.

An intake is one unit of work: its lots, its receive movements, and for a purchase the ledger
transfer from the aid fund to the seller's wallet commit together or not at all. A CSV import is
checked whole first and every bad row reported (beancount's habit), so a volunteer fixes the file
once instead of once per error; nothing is received until every row is good.

A community garden's harvest arrives through `harvest_receive`: a garden steward is not a pantry
volunteer, so it asks for the gardens rule `gardens.harvest.donate`, held in that garden, and does
nothing else a pantry role would allow: it receives one lot of the crop's item (made on first use,
as fresh produce) into the pantry's first place that keeps it, with a donation receipt.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.access import AidScope, aid_require
from mutua.aid.models import (
    LOCATION_STORAGE,
    DonorKind,
    Intake,
    IntakeKind,
    Item,
    Location,
    LocationKind,
    Lot,
    MovementKind,
    Storage,
)
from mutua.aid.services.stock import movement_write, stock_receive
from mutua.community.models import Community, Member, Organization
from mutua.community.permissions import require
from mutua.core.errors import MutuaError, Refused, problems_raise
from mutua.core.ids import new_id
from mutua.core.numbering import number_next
from mutua.core.services import audit_record
from mutua.currency import selectors as currency_selectors
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferRequest
from mutua.ledger.messages import refusal_raise

CSV_COLUMNS = ("item", "quantity", "expires", "location")


@dataclass(frozen=True)
class IntakeLine:
    item: Item
    quantity: int
    location: Location
    expires: date | None = None


@dataclass(frozen=True)
class Donor:
    name: str
    kind: str = DonorKind.PERSON
    # For a purchase: the organization paid, and what it was paid (local cents).
    seller: Organization | None = None
    amount: int = 0


def _donor_problems(donor: Donor, lines: list[IntakeLine]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not donor.name.strip():
        problems["donor_name"] = [_("Say who the goods came from.")]
    if donor.kind not in DonorKind.values:
        problems["donor_kind"] = [_("Choose person, business, co-op, garden or other.")]
    if not lines:
        problems["lines"] = [_("An intake has at least one line.")]
    if donor.seller is not None and donor.amount <= 0:
        problems["amount"] = [_("Say how much was paid, more than zero.")]
    return problems


def _pay_seller(actor: Member, community: Community, donor: Donor, number: int) -> UUID:
    """The aid fund pays the seller's wallet; refused (nothing received) if the fund is short."""
    assert donor.seller is not None
    currency = currency_selectors.currency_of(community)
    wallet = currency_selectors.wallet_of(currency=currency, organization=donor.seller)
    if wallet is None:
        raise Refused(
            _("%(seller)s has no local-dollar wallet to be paid into.")
            % {"seller": donor.seller.name},
            code="no_wallet",
        )
    transfer_id = new_id()
    refusal_raise(
        ledger.transfer_create(
            community=community,
            request=TransferRequest(
                id=transfer_id,
                debit_account_id=currency.aid_fund_id,
                credit_account_id=wallet.id,
                amount=donor.amount,
                code="aid_purchase",
                memo=_("Aid purchase, intake %(n)s") % {"n": number},
            ),
            actor=actor,
        )
    )
    return transfer_id


@transaction.atomic
def intake_record(
    *,
    actor: Member,
    community: Community,
    donor: Donor,
    lines: list[IntakeLine],
    note: str = "",
    now: datetime | None = None,
) -> Intake:
    """Receive a donation (no seller) or a purchase (a seller and an amount) into stock."""
    purchase = donor.seller is not None
    aid_require(actor, "aid.purchase" if purchase else "aid.stock.receive", community)
    problems = _donor_problems(donor, lines)
    problems_raise(problems, "invalid_intake")
    # Receipt numbers run per community without gaps; the number is taken before the seller's
    # payment locks any account (`mutua.core.numbering`).
    number = _next_number(community)
    intake = Intake(
        community=community,
        number=number,
        kind=IntakeKind.PURCHASE if purchase else IntakeKind.DONATION,
        donor_kind=donor.kind,
        donor_name=donor.name.strip(),
        seller=donor.seller,
        amount=donor.amount if purchase else 0,
        note=note[:200],
        received_by=actor,
        received_at=now or timezone.now(),
    )
    if purchase:
        # The payment is made now whatever day the goods are dated: the ledger is never backdated.
        intake.transfer_id = _pay_seller(actor, community, donor, number)
    intake.save()
    for line in lines:
        stock_receive(
            actor=actor,
            item=line.item,
            quantity=line.quantity,
            location=line.location,
            expires=line.expires,
            intake=intake,
            now=intake.received_at,
        )
    audit_record(action="aid.intake.recorded", actor=actor, obj=intake, data={"lines": len(lines)})
    return intake


def _next_number(community: Community) -> int:
    return number_next(Intake, community_id=community.id)


@dataclass(frozen=True)
class Produce:
    """A garden crop as the pantry stocks it: its item's name, unit and storage."""

    name: str
    unit: str
    storage: str = Storage.AMBIENT


def _produce_item(community: Community, produce: Produce, actor: Member) -> Item:
    found = Item.objects.filter(community=community, name__iexact=produce.name.strip()).first()
    if found is not None:
        return found
    item = Item.objects.create(
        community=community,
        name=produce.name.strip(),
        kind="food",
        category="garden-produce",
        unit=produce.unit[:40],
        storage=produce.storage,
    )
    audit_record(action="aid.item.created", actor=actor, obj=item)
    return item


# Where fresh produce goes first: the shelves, then the fridge (cold produce only fits there).
PRODUCE_PLACES = (LocationKind.SHELF, LocationKind.FRIDGE, LocationKind.FREEZER)


def _place_for(community: Community, item: Item) -> Location:
    places = Location.objects.filter(community=community, kind__in=PRODUCE_PLACES)
    for place in sorted(places, key=lambda p: (PRODUCE_PLACES.index(p.kind), p.name)):
        if item.storage in LOCATION_STORAGE[place.kind]:
            return place
    raise Refused(
        _("The pantry has no place that keeps %(item)s yet.") % {"item": item.name},
        code="no_place",
    )


@transaction.atomic
def harvest_receive(
    *,
    actor: Member,
    garden: Organization,
    produce: Produce,
    quantity: int,
    expires: date,
    now: datetime | None = None,
) -> Lot:
    """A garden's harvest given to the pantry: one lot, received with a donation receipt."""
    require(actor, "gardens.harvest.donate", AidScope(garden.community_id, garden.id))
    community = garden.community
    now = now or timezone.now()
    item = _produce_item(community, produce, actor)
    place = _place_for(community, item)
    intake = Intake.objects.create(
        community=community,
        number=_next_number(community),
        kind=IntakeKind.DONATION,
        donor_kind=DonorKind.GARDEN,
        donor_name=garden.name,
        received_by=actor,
        received_at=now,
    )
    lot = Lot.objects.create(
        community=community, item=item, expires=expires, intake=intake, received_at=now
    )
    movement_write(
        actor=actor, kind=MovementKind.RECEIVE, lot=lot, quantity=quantity, target=place, now=now
    )
    audit_record(action="aid.intake.harvest_received", actor=actor, obj=intake)
    return lot


def _csv_row(
    row: dict[str, str],
    items: dict[str, Item],
    locations: dict[str, Location],
    today: date,
) -> tuple[IntakeLine | None, list[str]]:
    errors = []
    item = items.get((row.get("item") or "").strip().lower())
    if item is None:
        errors.append(_("unknown item %(name)r") % {"name": (row.get("item") or "").strip()})
    location = locations.get((row.get("location") or "").strip().lower())
    if location is None:
        errors.append(
            _("unknown location %(name)r") % {"name": (row.get("location") or "").strip()}
        )
    quantity = (row.get("quantity") or "").strip()
    if not (quantity.isascii() and quantity.isdigit()) or int(quantity) <= 0:
        errors.append(_("quantity %(q)r is not a whole number above zero") % {"q": quantity})
    expires: date | None = None
    text = (row.get("expires") or "").strip()
    if text:
        try:
            expires = date.fromisoformat(text)
        except ValueError:
            errors.append(_("expiry %(d)r is not a date like 2026-12-31") % {"d": text})
        else:
            if expires < today:
                errors.append(_("already expired on %(d)s") % {"d": text})
    if (
        item is not None
        and location is not None
        and item.storage not in LOCATION_STORAGE[location.kind]
    ):
        errors.append(
            _("%(item)s cannot be stored in %(location)s")
            % {"item": item.name, "location": location.name}
        )
    if errors:
        return None, errors
    assert item is not None and location is not None
    return IntakeLine(item=item, quantity=int(quantity), location=location, expires=expires), []


def intake_lines_from_csv(
    *, community: Community, text: str, today: date | None = None
) -> list[IntakeLine]:
    """Parse an intake list (columns item, quantity, expires, location; a header row first).
    Raises one error listing every bad row, by its line number in the file."""
    today = today or timezone.localdate()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_COLUMNS if name not in header and name != "expires"]
    if missing:
        raise MutuaError(
            _("The file needs the columns %(cols)s; missing: %(missing)s.")
            % {"cols": ", ".join(CSV_COLUMNS), "missing": ", ".join(missing)},
            code="invalid_csv",
        )
    reader.fieldnames = header
    items = {i.name.lower(): i for i in Item.objects.filter(community=community, active=True)}
    locations = {
        loc.name.lower(): loc
        for loc in Location.objects.filter(community=community).exclude(kind=LocationKind.HELD)
    }
    lines, bad = [], []
    for row in reader:
        line, errors = _csv_row(row, items, locations, today)
        if errors:
            bad.append(
                _("line %(n)s: %(errors)s") % {"n": reader.line_num, "errors": "; ".join(errors)}
            )
        elif line is not None:
            lines.append(line)
    if bad or not lines:
        raise MutuaError(
            _("Nothing was received: %(n)s bad rows. Fix them and import the file again.")
            % {"n": len(bad)}
            if bad
            else _("The file has no rows."),
            code="invalid_csv",
            fields={"file": bad or [_("The file has no rows.")]},
        )
    return lines


@dataclass(frozen=True)
class OrderArrival:
    """One delivered line of an order the aid group paid for elsewhere (a co-op bulk order)."""

    item_id: UUID | None
    location_id: UUID | None
    quantity: int
    expires: date | None = None
    label: str = ""  # what the seller called it, for messages


@transaction.atomic
def order_receive(
    *,
    actor: Member,
    seller: Organization,
    amount: int,
    transfer_id: UUID,
    note: str,
    arrivals: list[OrderArrival],
    now: datetime | None = None,
) -> Intake:
    """Goods the aid fund already paid for (by `transfer_id`) arrive: one purchase intake with its
    receipt, one lot per arrival. The caller settled the payment; nothing is paid here."""
    aid_require(actor, "aid.stock.receive", seller)
    now = now or timezone.now()
    community = seller.community
    items = {i.pk: i for i in Item.objects.filter(community=community)}
    places = {p.pk: p for p in Location.objects.filter(community=community)}
    problems: dict[str, list[str]] = {}
    for n, arrival in enumerate(arrivals):
        if arrival.item_id not in items:
            problems[f"arrivals.{n}.item"] = [
                _("Choose the pantry item for %(what)s.") % {"what": arrival.label}
            ]
        if arrival.location_id not in places:
            problems[f"arrivals.{n}.location"] = [
                _("Choose where %(what)s is stored.") % {"what": arrival.label}
            ]
    problems_raise(problems, "invalid_arrival")
    intake = Intake.objects.create(
        community=community,
        number=_next_number(community),
        kind=IntakeKind.PURCHASE,
        donor_kind=DonorKind.COOP,
        donor_name=seller.name,
        seller=seller,
        amount=amount,
        transfer_id=transfer_id,
        note=note[:200],
        received_by=actor,
        received_at=now,
    )
    for arrival in arrivals:
        assert arrival.item_id is not None and arrival.location_id is not None
        stock_receive(
            actor=actor,
            item=items[arrival.item_id],
            quantity=arrival.quantity,
            location=places[arrival.location_id],
            expires=arrival.expires,
            intake=intake,
            now=now,
        )
    audit_record(action="aid.intake.order_received", actor=actor, obj=intake, now=now)
    return intake
