"""Four months of Riverbend's local dollar: the ledger's part of `mutua demo`.

Design:
- **Two ledgers.** "LD", the local dollar (the community's currency code), and "USD", the credit
  union's dollar reserve book. System accounts: LD issuance (unlimited: minus its balance is what is
  outstanding), community fund, aid fund, fee income; USD reserve and USD cash-in (unlimited: minus
  its balance is the dollars that came in). Wallets: one per member who can sign in or belongs to a
  household, one per local business (a few with a credit line: mutual credit), the co-op's, the
  mutual aid group's and the land trust's.
- **A story, not noise.** `history_plan` tells the `DAYS` days that end now, in business hours. A
  foundation grant launches the community fund. Members exchange dollars in at the credit union (95
  cents buy one local dollar, as with BerkShares), shop, donate, and order from the co-op's weekly
  cycle (a hold on Monday, posted in whole or in part or voided on Thursday; this week's may be
  open still). Merchants pay each other for supplies, pay part of their staff's wages in local
  dollars, refund some purchases (reversals) and on Fridays redeem what they hold above a float,
  less a 5% fee; each month the fee income goes to the community fund, which makes grants to the
  aid fund (its vouchers are spent at the co-op) and to the land trust.
- **Every transfer is accepted.** The plan keeps its own books (`_Books`, the ledger's rule: balance
  less holds plus credit line) and leaves out what a payer could not afford; members stop at the
  credit union in the morning for what their day will cost. `populate` still counts refusals and
  shows them in its progress line.
- **The reserve backs what is outstanding.** Local dollars are bought in steps of 20.00, which cost
  exactly 19.00; a redemption pays 95 cents per retired local dollar, rounded down
  (`_dollars_out`), so the reserve never holds less than 95% of the local dollars outstanding.
- **Deterministic and idempotent.** `random.Random(SEED)` drives the plan, a pure function of who
  takes part and of the moment it ends. Transfer ids are shaped like `new_id`'s UUIDv7 (so they sort
  by time, and by place within a batch) but derived from the time, the place in the batch and a
  sequence number, so a rerun of the same plan answers `exists`. `populate` writes nothing at all
  when the local dollar ledger exists already.
- **Fast.** Each day has four moments (`MOMENTS`), each one `transfers_create` batch at one
  timestamp: some 500 batches for some 4,000 transfers, about 3 s on SQLite, where a batch per
  transfer would take four times as long.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import NamedTuple
from uuid import UUID, uuid5

from django.utils import timezone

from mutua.community.demo import Progress
from mutua.community.models import Community, Member, Organization
from mutua.community.roles import OrganizationKind
from mutua.ledger import services
from mutua.ledger.domain import Kind, Result, TransferRequest
from mutua.ledger.models import Account, AccountKind, Ledger, Transfer

DEMO_STEPS = 3  # ledgers, accounts, transfers
SEED = 1871
DAYS = 122  # about four months
NAMESPACE = UUID("0b9d3d6e-7c55-4f0b-9b7e-3a1d2f6c8e41")

ISSUANCE, COMMUNITY_FUND, AID_FUND = "issuance", "community-fund", "aid-fund"
FEE_INCOME, LAND_TRUST = "fee-income", "land-trust"
COOP, MUTUAL_AID = "org-food-coop", "org-mutual-aid"
RESERVE, CASH_IN = "usd-reserve", "usd-cash-in"

EXCHANGE_RATE_BP = 9_500  # dollar cents paid per 100 local cents
REDEMPTION_FEE_BP = 500
EXCHANGE_STEP = 2_000  # local dollars are bought in steps of 20.00 (exactly 19.00 in dollars)
LAUNCH_GRANT = 600_000
MONTHLY_GRANTS = ((AID_FUND, 80_000), (LAND_TRUST, 30_000))
MERCHANT_FLOAT = 15_000  # what a merchant keeps when it redeems on Friday
HOLD_SECONDS = 10 * 24 * 60 * 60
REFUND_WINDOW = timedelta(days=14)
# The hours (9 to 18) whose events make one batch, at one timestamp drawn among them.
MOMENTS = ((9, 10), (11, 12, 13), (14, 15, 16), (17, 18))
SHOP_HOURS = range(9, 19)
MONDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = 0, 2, 3, 4, 5, 6

# Merchant wallets the story names (`merchant-` and the business's short name).
BAKERY, CAFE = "merchant-bluebird-bakery", "merchant-ferry-landing-cafe"
GROCER = "merchant-greenleaf-grocers"
HARDWARE, BIKES = "merchant-keel-hardware", "merchant-spoke-sprocket"
LAUNDRY, PRINT_SHOP = "merchant-willow-laundromat", "merchant-lantern-print-shop"

# Credit lines of a few merchants (mutual credit), in cents.
CREDIT_LINES = {
    BAKERY: 50_000,
    CAFE: 30_000,
    GROCER: 40_000,
    BIKES: 25_000,
}


class Shop(NamedTuple):
    weight: int  # how often members shop there, relative to the others
    low: int  # price range in cents
    high: int
    memo: str


SHOPS = {
    COOP: Shop(24, 800, 6_000, "Groceries"),
    GROCER: Shop(18, 500, 3_500, "Fruit and vegetables"),
    BAKERY: Shop(16, 300, 1_800, "Bread and pastries"),
    CAFE: Shop(14, 300, 1_500, "Coffee and soup"),
    LAUNDRY: Shop(7, 400, 1_600, "Laundry"),
    "merchant-canal-street-pharmacy": Shop(6, 600, 4_000, "Pharmacy"),
    "merchant-dog-eared-books": Shop(4, 600, 3_000, "Books"),
    HARDWARE: Shop(4, 500, 6_000, "Hardware"),
    BIKES: Shop(3, 1_200, 9_000, "Bike repair"),
    "merchant-tidewater-tailors": Shop(2, 1_000, 4_500, "Alterations"),
    PRINT_SHOP: Shop(1, 500, 2_500, "Printing"),
}
OTHER_SHOP = Shop(2, 500, 3_000, "Purchase")


class Supply(NamedTuple):
    payer: str
    payee: str
    chance: float  # on a weekday
    low: int
    high: int
    memo: str


SUPPLIES = (
    Supply(CAFE, BAKERY, 0.6, 2_000, 6_000, "Bread"),
    Supply(CAFE, GROCER, 0.3, 3_000, 9_000, "Soup veg"),
    Supply(CAFE, LAUNDRY, 0.15, 1_500, 4_000, "Linen"),
    Supply(BAKERY, COOP, 0.25, 6_000, 18_000, "Flour and butter, bulk"),
    Supply(BAKERY, GROCER, 0.2, 2_000, 6_000, "Fruit"),
    Supply(COOP, BAKERY, 0.4, 4_000, 12_000, "Bread for the shelves"),
    Supply(COOP, GROCER, 0.3, 8_000, 25_000, "Local produce"),
    Supply(GROCER, HARDWARE, 0.05, 2_000, 12_000, "Crates"),
    Supply(BIKES, HARDWARE, 0.1, 1_000, 6_000, "Parts, tools"),
)


class Move(NamedTuple):
    """One planned transfer, by account code. For post, void and reverse, `target` is the transfer
    acted on, and `debit`/`credit` are the accounts it moves (for the plan's own books)."""

    kind: Kind
    debit: str
    credit: str
    amount: int
    code: str
    memo: str = ""
    target: UUID | None = None
    held: int = 0  # post and void: what the pending transfer holds
    timeout: int | None = None


class Cast(NamedTuple):
    """Who takes part, by account code (the system accounts have fixed codes)."""

    members: tuple[str, ...]
    merchants: tuple[str, ...]


class Batch(NamedTuple):
    at: datetime
    requests: tuple[TransferRequest, ...]


Maker = Callable[[], list[Move]]


# --- rounding -------------------------------------------------------------------------------------


def _dollars_in(local: int) -> int:
    """Dollar cents paid for `local` cents, rounded up: the reserve keeps the fraction."""
    return -(-local * EXCHANGE_RATE_BP // 10_000)


def _dollars_out(local: int) -> int:
    """Dollar cents paid out for `local` retired cents, rounded down: the reserve keeps the
    fraction, so it never falls below 95% of what is outstanding."""
    return local * EXCHANGE_RATE_BP // 10_000


def _fee(gross: int) -> int:
    """The redemption fee, rounded down (in the merchant's favour)."""
    return gross * REDEMPTION_FEE_BP // 10_000


def _step_up(amount: int, step: int) -> int:
    return -(-amount // step) * step


def _money(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def _price(rng: random.Random, low: int, high: int) -> int:
    """A price in 5-cent steps between `low` and `high` cents."""
    return rng.randrange(low // 5, high // 5 + 1) * 5


def transfer_id(at: datetime, index: int, seq: int) -> UUID:
    """A UUIDv7 like `new_id`'s, but deterministic: 48 bits of `at`'s milliseconds, the version, 12
    bits of place in the batch (so a batch sorts in its own order), then 62 bits of uuid5(seq)."""
    if not 0 <= index < 4096:
        raise ValueError("a demo batch holds at most 4096 transfers")
    millis = int(at.timestamp() * 1000)
    tail = uuid5(NAMESPACE, str(seq)).int & ((1 << 62) - 1)
    return UUID(int=(millis << 80) | (0x7 << 76) | (index << 64) | (0b10 << 62) | tail)


# --- the plan's own books -------------------------------------------------------------------------


@dataclass
class _Books:
    """Posted balances and holds, moved the way the ledger moves them."""

    limits: Mapping[str, int]
    unlimited: frozenset[str]
    balance: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    held: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))

    def available(self, code: str) -> int:
        return self.balance[code] - self.held[code] + self.limits.get(code, 0)

    def affords(self, moves: Sequence[Move]) -> bool:
        """Whether every payer can pay its part (what the moves credit is not counted)."""
        spend: defaultdict[str, int] = defaultdict(int)
        for move in moves:
            if move.kind in (Kind.POSTED, Kind.PENDING, Kind.REVERSE):
                spend[move.debit] += move.amount
        return all(c in self.unlimited or self.available(c) >= n for c, n in spend.items())

    def apply(self, move: Move) -> None:
        if move.kind in (Kind.POST, Kind.VOID):
            self.held[move.debit] -= move.held
        if move.kind == Kind.PENDING:
            self.held[move.debit] += move.amount
        elif move.kind != Kind.VOID:
            self.balance[move.debit] -= move.amount
            self.balance[move.credit] += move.amount


# --- the plan -------------------------------------------------------------------------------------


def history_plan(
    *, cast: Cast, ids: Mapping[str, UUID], until: datetime, days: int = DAYS, seed: int = SEED
) -> list[Batch]:
    """The demo's transfers for the `days` days that end at `until` (aware: its zone sets the
    business hours), in batches of one timestamp each. `ids` maps every account code to its id."""
    history = _History(cast, ids, random.Random(seed))  # noqa: S311 (a story, not a secret)
    last = until.date()
    for offset in range(days - 1, -1, -1):
        history.day(last - timedelta(days=offset), until, first=offset == days - 1)
    return history.batches


@dataclass
class _History:
    cast: Cast
    ids: Mapping[str, UUID]
    rng: random.Random
    books: _Books = field(init=False)
    shops: tuple[str, ...] = field(init=False)
    staff: dict[str, str] = field(init=False)
    batches: list[Batch] = field(default_factory=list)
    purchases: list[tuple[date, UUID, Move]] = field(default_factory=list)
    holds: list[tuple[UUID, Move]] = field(default_factory=list)
    seq: int = 0

    def __post_init__(self) -> None:
        limits = {code: CREDIT_LINES.get(code, 0) for code in self.cast.merchants}
        self.books = _Books(limits, frozenset({ISSUANCE, CASH_IN}))
        self.shops = (COOP, *self.cast.merchants)
        staff = self.rng.sample(self.cast.members, min(len(self.shops), len(self.cast.members)))
        self.staff = dict(zip(self.shops, staff, strict=False))

    def day(self, day: date, until: datetime, *, first: bool) -> None:
        spends = self._member_spends(day)
        plan: list[tuple[int, Maker]] = []
        plan += self._morning(day, spends, first=first)
        plan += [(hour, partial(list, [move])) for hour, move in spends]
        plan += self._trade(day)
        plan += self._weekly(day)
        plan.sort(key=lambda entry: entry[0])  # stable: the morning's exchanges come first at 9
        for hours in MOMENTS:
            stamp = time(self.rng.choice(hours), self.rng.randrange(60), self.rng.randrange(60))
            at = datetime.combine(day, stamp, tzinfo=until.tzinfo)
            if at > until:
                return
            self._seal(at, self._accepted(maker for h, maker in plan if h in hours))

    def _accepted(self, makers: Iterable[Maker]) -> list[Move]:
        """Each maker's moves, if their payers can afford them once the earlier ones are done."""
        accepted: list[Move] = []
        for maker in makers:
            moves = maker()
            if moves and self.books.affords(moves):
                for move in moves:
                    self.books.apply(move)
                accepted += moves
        return accepted

    def _seal(self, at: datetime, moves: list[Move]) -> None:
        if not moves:
            return
        requests = []
        for index, move in enumerate(moves):
            self.seq += 1
            request = self._request(transfer_id(at, index, self.seq), move)
            requests.append(request)
            if move.code == "purchase":
                self.purchases.append((at.date(), request.id, move))
            elif move.kind == Kind.PENDING:
                self.holds.append((request.id, move))
        self.batches.append(Batch(at, tuple(requests)))

    def _request(self, request_id: UUID, move: Move) -> TransferRequest:
        if move.target is not None:
            return TransferRequest(
                request_id,
                move.kind,
                amount=0 if move.kind == Kind.VOID else move.amount,
                code=move.code,
                memo=move.memo,
                target_id=move.target,
            )
        return TransferRequest(
            request_id,
            move.kind,
            self.ids[move.debit],
            self.ids[move.credit],
            move.amount,
            move.code,
            move.memo,
            timeout_seconds=move.timeout,
        )

    # members ---------------------------------------------------------------------------------

    def _member_spends(self, day: date) -> list[tuple[int, Move]]:
        """What members will pay today, known in the morning: purchases, donations, co-op orders."""
        rng, spends = self.rng, []
        chance = 0.18 if day.weekday() >= SATURDAY else 0.28
        for member in self.cast.members:
            if rng.random() < chance:
                spends.append((rng.choice(SHOP_HOURS), self._purchase(member)))
        if rng.random() < 0.5:
            cause = MUTUAL_AID if rng.random() < 0.7 else LAND_TRUST
            amount = rng.randrange(1, 9) * 500
            donor = rng.choice(self.cast.members)
            spends.append(
                (rng.choice(SHOP_HOURS), Move(Kind.POSTED, donor, cause, amount, "donation"))
            )
        if day.weekday() == MONDAY:
            spends += [(rng.randrange(10, 18), self._order(m, day)) for m in self._orderers()]
        return spends

    def _purchase(self, member: str) -> Move:
        weights = [SHOPS.get(shop, OTHER_SHOP).weight for shop in self.shops]
        shop = self.rng.choices(self.shops, weights)[0]
        profile = SHOPS.get(shop, OTHER_SHOP)
        amount = _price(self.rng, profile.low, profile.high)
        return Move(Kind.POSTED, member, shop, amount, "purchase", profile.memo)

    def _orderers(self) -> list[str]:
        return [member for member in self.cast.members if self.rng.random() < 0.22]

    def _order(self, member: str, day: date) -> Move:
        amount = _price(self.rng, 2_500, 12_000)
        memo = f"Bulk order, cycle of {day.isoformat()}"
        return Move(Kind.PENDING, member, COOP, amount, "coop_order", memo, timeout=HOLD_SECONDS)

    def _morning(
        self, day: date, spends: list[tuple[int, Move]], *, first: bool
    ) -> list[tuple[int, Maker]]:
        """At 9: the launch grant, the month's fees and grants, members' exchanges (not Sundays)."""
        plan: list[tuple[int, Maker]] = []
        if first:
            memo = "Launch grant from the Riverbend Foundation"
            plan.append((9, partial(_exchange_in, COMMUNITY_FUND, LAUNCH_GRANT, memo)))
        if first or day.day == 1:
            plan.append((9, self._fees_to_fund))
            plan += [(9, partial(self._grant, fund, amount)) for fund, amount in MONTHLY_GRANTS]
        if day.weekday() == SUNDAY:
            return plan
        need: defaultdict[str, int] = defaultdict(int)
        for _hour, move in spends:
            need[move.debit] += move.amount
        for member, amount in need.items():
            short = amount - self.books.available(member)
            if short > 0:
                spare = self.rng.choice((40, 60, 100, 150, 200)) * 100  # for the days after
                local = _step_up(short + spare, EXCHANGE_STEP)
                plan.append((9, partial(_exchange_in, member, local, "")))
        return plan

    # organizations -------------------------------------------------------------------------

    def _fees_to_fund(self) -> list[Move]:
        fees = self.books.balance[FEE_INCOME]
        if not fees:
            return []
        memo = "Redemption fees of the month"
        return [Move(Kind.POSTED, FEE_INCOME, COMMUNITY_FUND, fees, "fees_to_fund", memo)]

    def _grant(self, fund: str, amount: int) -> list[Move]:
        amount = min(amount, self.books.balance[COMMUNITY_FUND])
        memo = "Monthly grant of the community fund"
        return [Move(Kind.POSTED, COMMUNITY_FUND, fund, amount, "grant", memo)] if amount else []

    def _trade(self, day: date) -> list[tuple[int, Maker]]:
        """Weekday business: supplies, printing, aid vouchers, refunds."""
        if day.weekday() >= SATURDAY:
            return []
        rng, plan = self.rng, list[tuple[int, Maker]]()
        for supply in SUPPLIES:
            if rng.random() < supply.chance and {supply.payer, supply.payee} <= self.ids.keys():
                plan.append((rng.randrange(9, 12), partial(self._supply, supply)))
        if PRINT_SHOP in self.ids and rng.random() < 0.12:
            payer = rng.choice([shop for shop in self.shops if shop != PRINT_SHOP])
            flyers = Supply(payer, PRINT_SHOP, 1, 1_500, 8_000, "Flyers and signs")
            plan.append((rng.randrange(10, 17), partial(self._supply, flyers)))
        for _voucher in range(rng.choice((0, 1, 1, 2))):
            plan.append((rng.randrange(10, 18), self._voucher))
        if rng.random() < 0.25:
            plan.append((rng.randrange(10, 18), partial(self._refund, day)))
        return plan

    def _supply(self, supply: Supply) -> list[Move]:
        amount = _price(self.rng, supply.low, supply.high)
        return [Move(Kind.POSTED, supply.payer, supply.payee, amount, "supplies", supply.memo)]

    def _voucher(self) -> list[Move]:
        """The co-op sees a voucher code, not the household it was given to."""
        amount = self.rng.randrange(4, 11) * 500
        memo = f"Aid voucher V-{self.rng.randrange(16**4):04X}"
        return [Move(Kind.POSTED, AID_FUND, COOP, amount, "aid_voucher", memo)]

    def _refund(self, day: date) -> list[Move]:
        recent = [p for p in self.purchases if p[0] >= day - REFUND_WINDOW]
        if not recent:
            return []
        bought = self.rng.choice(recent)
        self.purchases.remove(bought)
        _day, original, purchase = bought
        amount, memo = purchase.amount, "Returned"
        if self.rng.random() < 0.4:
            amount, memo = max(5, purchase.amount // 100 * 10), "Overcharged: 10% back"
        return [
            Move(Kind.REVERSE, purchase.credit, purchase.debit, amount, "refund", memo, original)
        ]

    def _weekly(self, day: date) -> list[tuple[int, Maker]]:
        """Pantry restock, co-op deliveries, wages, redemptions, the land trust's repairs."""
        plan: list[tuple[int, Maker]] = []
        if day.weekday() == WEDNESDAY:
            plan.append((11, partial(self._spend_balance, MUTUAL_AID, COOP, "pantry_purchase")))
        if day.weekday() == THURSDAY:
            plan.append((16, self._deliveries))
        if day.weekday() == FRIDAY:
            plan += [(15, partial(self._wages, shop)) for shop in self.staff]
            plan += [(16, partial(self._redemption, shop)) for shop in self.shops]
        if day.day == 15 and HARDWARE in self.ids:
            repairs = partial(self._spend_balance, LAND_TRUST, HARDWARE, "repairs")
            plan.append((10, repairs))
        return plan

    def _spend_balance(self, payer: str, payee: str, code: str) -> list[Move]:
        """A purchase by an organization, as large as its balance allows (nothing below 20.00)."""
        amount = min(_price(self.rng, 10_000, 40_000), self.books.balance[payer])
        return [Move(Kind.POSTED, payer, payee, amount, code)] if amount >= 2_000 else []

    def _deliveries(self) -> list[Move]:
        """This week's orders: most delivered whole, some with an item missing, a few cancelled."""
        moves = [self._delivery(hold, order) for hold, order in self.holds]
        self.holds = []
        return moves

    def _delivery(self, hold: UUID, order: Move) -> Move:
        luck = self.rng.random()
        if luck < 0.1:
            kind, amount, code, memo = Kind.VOID, 0, "coop_order_cancelled", "Out of stock"
        elif luck < 0.3:
            amount = order.amount * self.rng.randrange(70, 96) // 100 // 5 * 5
            kind, code, memo = Kind.POST, "coop_order_delivered", "Delivered, one item missing"
        else:
            kind, amount, code, memo = Kind.POST, order.amount, "coop_order_delivered", "Delivered"
        return Move(kind, order.debit, order.credit, amount, code, memo, hold, held=order.amount)

    def _wages(self, shop: str) -> list[Move]:
        amount = min(_price(self.rng, 6_000, 16_000), self.books.balance[shop])
        if amount < 2_000:
            return []
        memo = "Part of the week's wages, in local dollars"
        return [Move(Kind.POSTED, shop, self.staff[shop], amount, "wages", memo)]

    def _redemption(self, shop: str) -> list[Move]:
        gross = (self.books.balance[shop] - MERCHANT_FLOAT) // 1_000 * 1_000
        if gross < 5_000:
            return []
        fee = _fee(gross)
        dollars = _dollars_out(gross - fee)
        memo = f"Redeemed {_money(gross)} local dollars for {_money(dollars)} dollars"
        return [
            Move(Kind.POSTED, shop, ISSUANCE, gross - fee, "exchange_out", memo),
            Move(Kind.POSTED, shop, FEE_INCOME, fee, "redemption_fee", memo),
            Move(Kind.POSTED, RESERVE, CASH_IN, dollars, "exchange_out", memo),
        ]


def _exchange_in(wallet: str, local: int, memo: str) -> list[Move]:
    """Dollars in to the reserve, local dollars out of issuance: two ledgers, one exchange."""
    dollars = _dollars_in(local)
    memo = memo or f"{_money(dollars)} dollars for {_money(local)} local dollars"
    return [
        Move(Kind.POSTED, CASH_IN, RESERVE, dollars, "exchange_in", memo),
        Move(Kind.POSTED, ISSUANCE, wallet, local, "exchange_in", memo),
    ]


# --- writing --------------------------------------------------------------------------------------


class AccountSpec(NamedTuple):
    code: str
    name: str
    kind: AccountKind
    organization: Organization | None = None
    member: Member | None = None
    credit_limit: int = 0
    unlimited: bool = False


def populate(community: Community, progress: Progress) -> None:
    """Open the books and write their history, unless the local dollar ledger exists already."""
    if Ledger.objects.filter(community=community, code=community.currency_code).exists():
        progress("ledgers", Ledger.objects.filter(community=community).count(), 0)
        progress("ledger accounts", Account.objects.filter(community=community).count(), 0)
        progress("ledger transfers", Transfer.objects.filter(community=community).count(), 0)
        return
    local = services.ledger_create(
        community=community, code=community.currency_code, name=community.currency_name
    )
    dollars = services.ledger_create(community=community, code="USD", name="US dollar reserve")
    progress("ledgers", 2, 2)
    local_specs, dollar_specs = _local_specs(community), _dollar_specs(community)
    ids = _accounts_open(local, local_specs) | _accounts_open(dollars, dollar_specs)
    progress("ledger accounts", len(ids), len(ids))
    cast = Cast(
        members=tuple(s.code for s in local_specs if s.kind == AccountKind.MEMBER),
        merchants=tuple(s.code for s in local_specs if s.kind == AccountKind.MERCHANT),
    )
    plan = history_plan(cast=cast, ids=ids, until=timezone.localtime())
    created, refused = history_write(community=community, plan=plan)
    label = f"ledger transfers, {refused} refused" if refused else "ledger transfers"
    progress(label, Transfer.objects.filter(community=community).count(), created)


def _organizations(community: Community) -> dict[str, Organization]:
    return {o.slug: o for o in Organization.objects.filter(community=community).order_by("slug")}


def _local_specs(community: Community) -> list[AccountSpec]:
    orgs, K = _organizations(community), AccountKind
    specs = [
        AccountSpec(
            ISSUANCE, "Local dollar issuance", K.ISSUANCE, orgs.get("credit-union"), unlimited=True
        ),
        AccountSpec(COMMUNITY_FUND, "Community fund", K.COMMUNITY_FUND),
        AccountSpec(AID_FUND, "Aid fund", K.AID_FUND, orgs.get("mutual-aid")),
        AccountSpec(FEE_INCOME, "Redemption fee income", K.FEES, orgs.get("credit-union")),
        AccountSpec(LAND_TRUST, "Land trust", K.LAND_TRUST, orgs.get("land-trust")),
        AccountSpec(COOP, "Riverbend Food Co-op", K.ORGANIZATION, orgs.get("food-coop")),
        AccountSpec(MUTUAL_AID, "Riverbend Mutual Aid", K.ORGANIZATION, orgs.get("mutual-aid")),
    ]
    for org in orgs.values():
        if org.kind == OrganizationKind.BUSINESS:
            code = f"merchant-{org.slug}"
            specs.append(
                AccountSpec(code, org.name, K.MERCHANT, org, credit_limit=CREDIT_LINES.get(code, 0))
            )
    for member in Member.objects.filter(community=community, is_active=True).order_by("handle"):
        if member.household_id is not None or member.has_usable_password():
            specs.append(
                AccountSpec(f"member-{member.handle}", member.display_name, K.MEMBER, member=member)
            )
    return specs


def _dollar_specs(community: Community) -> list[AccountSpec]:
    union = _organizations(community).get("credit-union")
    return [
        AccountSpec(RESERVE, "Dollar reserve", AccountKind.RESERVE, union),
        AccountSpec(
            CASH_IN, "Dollars exchanged in and out", AccountKind.SYSTEM, union, unlimited=True
        ),
    ]


def _accounts_open(ledger: Ledger, specs: Sequence[AccountSpec]) -> dict[str, UUID]:
    ids = {}
    for spec in specs:
        account = services.account_open(
            ledger=ledger,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            member=spec.member,
            organization=spec.organization,
            credit_limit=spec.credit_limit,
            unlimited=spec.unlimited,
        )
        ids[spec.code] = account.id
    return ids


def history_write(*, community: Community, plan: Sequence[Batch]) -> tuple[int, int]:
    """Write the plan batch by batch; (transfers created, transfers refused)."""
    created = refused = 0
    for batch in plan:
        # In UTC: a transfer's hash covers `created_at.isoformat()` as given, but the database
        # gives it back in UTC, so a `now` in another zone would fail `ledger_verify`.
        now = batch.at.astimezone(UTC)
        outcomes = services.transfers_create(community=community, requests=batch.requests, now=now)
        created += sum(1 for outcome in outcomes if outcome.result == Result.OK)
        refused += sum(1 for o in outcomes if o.result not in (Result.OK, Result.EXISTS))
    return created, refused
