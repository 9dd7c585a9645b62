"""Selling editions in local dollars: first sales, listings and resales. The only writers of
`Sale` and `Listing` rows.

A sale is one database transaction: the `Sale` row, one **linked** ledger batch (all its transfers
commit, or none), the edition's new holder, its provenance events and a chain task. The token's
move on chain happens after the commit (`chainwork.chain_tasks_run`, then `mutua art sync` until
it succeeds), because a chain cannot join a database transaction; the page shows its state.

Money (local cents, `splits.py` for the arithmetic):
- first sale: buyer -> artist (`art_sale`); buyer -> credit union (`art_trust`) -> land trust
  (`art_trust_payout`) for the rest. The buyer becomes the edition's original investor, for good.
- resale: buyer -> seller (`art_resale`) for the price less the royalty; buyer -> original
  investor and -> artist (`art_royalty`); buyer -> credit union (`art_royalty`) -> land trust
  (`art_trust_payout`) for the union's share, which carries the remainder of the royalty's split.

A sale's `id` is the client's idempotency key: buying again with the same id returns the sale
already made; its transfers' ids are derived from it, so the ledger never applies one twice.
"""

from datetime import datetime
from uuid import UUID, uuid5

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.art import provenance
from mutua.art.models import (
    Artwork,
    ChainTask,
    ChainTaskKind,
    Edition,
    EventKind,
    Listing,
    ListingStatus,
    Sale,
    SaleKind,
)
from mutua.art.provenance import person
from mutua.art.splits import primary_split, resale_split
from mutua.community.models import Community, Member, Organization
from mutua.community.permissions import require
from mutua.community.roles import OrganizationKind
from mutua.core.errors import Conflict, Forbidden, MutuaError, NotFound, Refused
from mutua.core.ids import new_id
from mutua.core.services import audit_record
from mutua.currency import selectors as currency_selectors
from mutua.currency.models import Currency
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferRequest
from mutua.ledger.messages import linked_refusal_raise
from mutua.ledger.models import Account

MAX_PRICE = 10**12


def credit_union_of(community_id: UUID) -> Organization:
    union = (
        Organization.objects.filter(community_id=community_id, kind=OrganizationKind.CREDIT_UNION)
        .order_by("name")
        .first()
    )
    if union is None:
        raise Refused(
            _("This community has no credit union to pass royalties on."), code="no_union"
        )
    return union


class _Wallets:
    """The local-dollar wallets a sale pays between, each found once or refused by name."""

    def __init__(self, community_id: UUID) -> None:
        community = Community.objects.get(pk=community_id)
        self.currency: Currency = currency_selectors.currency_of(community)

    def member(self, member: Member) -> Account:
        wallet = currency_selectors.wallet_of(currency=self.currency, member=member)
        if wallet is None:
            raise Refused(
                _("%(name)s has no local-dollar wallet.") % {"name": member.display_name},
                code="no_wallet",
            )
        return wallet

    def organization(self, organization: Organization) -> Account:
        wallet = currency_selectors.wallet_of(currency=self.currency, organization=organization)
        if wallet is None:
            raise Refused(
                _("%(name)s has no local-dollar wallet.") % {"name": organization.name},
                code="no_wallet",
            )
        return wallet


def _pay(
    sale: Sale,
    legs: list[tuple[Account, Account, int, str]],
    memo: str,
    actor: Member,
    now: datetime,
) -> None:
    # Derived from the sale's id, so a retried sale finds its transfers; sorted, because the
    # ledger tells a batch's transfers (which share one time) in id order.
    ids = sorted(uuid5(sale.pk, str(n)) for n in range(len(legs)))
    requests = [
        TransferRequest(
            id=ids[n],
            debit_account_id=debit.pk,
            credit_account_id=credit.pk,
            amount=amount,
            code=code,
            memo=memo,
        )
        for n, (debit, credit, amount, code) in enumerate(legs)
        if amount > 0
    ]
    community = sale.edition.artwork.community
    linked_refusal_raise(
        ledger.transfers_create(
            community=community, requests=requests, linked=True, actor=actor, now=now
        )
    )
    sale.transfer_ids = [str(r.id) for r in requests]


def _existing(sale_id: UUID | None, buyer: Member, edition: Edition) -> Sale | None:
    if sale_id is None:
        return None
    found = Sale.objects.filter(pk=sale_id).first()
    if found is None:
        return None
    if found.buyer_id != buyer.pk or found.edition_id != edition.pk:
        raise Conflict(_("This sale id was used for another purchase."), code="id_conflict")
    return found


def _edition_locked(edition: Edition) -> Edition:
    return Edition.objects.select_for_update().select_related("artwork").get(pk=edition.pk)


def _memo(edition: Edition) -> str:
    return _("%(title)s, edition %(n)s of %(of)s") % {
        "title": edition.artwork.title,
        "n": edition.number,
        "of": edition.artwork.editions,
    }


def _chain_task(sale: Sale, kind: ChainTaskKind, now: datetime) -> None:
    ChainTask.objects.create(
        community_id=sale.community_id,
        edition_id=sale.edition_id,
        sale=sale,
        kind=kind,
        to_member_id=sale.buyer_id,
        created_at=now,
    )
    community_id = sale.community_id

    def run() -> None:
        from mutua.art.chainwork import chain_tasks_run_quietly

        chain_tasks_run_quietly(community_id=community_id)

    transaction.on_commit(run)


@transaction.atomic
def edition_buy(
    *, buyer: Member, edition: Edition, sale_id: UUID | None = None, now: datetime | None = None
) -> Sale:
    """The first sale of an edition, at the artwork's price, from the artist."""
    now = now or timezone.now()
    require(buyer, "art.edition.buy", edition)
    edition = _edition_locked(edition)  # before looking for a retry: two retries take turns
    if (done := _existing(sale_id, buyer, edition)) is not None:
        return done
    artwork: Artwork = edition.artwork
    if artwork.published_at is None:
        raise NotFound(_("Not found."))
    if edition.original_investor_id is not None:
        raise Refused(_("This edition has been sold; look for it among the listings."), code="sold")
    if artwork.artist_id == buyer.pk:
        raise Refused(_("You cannot buy your own work."), code="own_work")
    parts = primary_split(price=artwork.price, artist_bps=artwork.artist_bps)
    wallets = _Wallets(artwork.community_id)
    union = credit_union_of(artwork.community_id)
    payer, union_wallet = wallets.member(buyer), wallets.organization(union)
    trust_wallet = wallets.organization(artwork.trust.organization)
    sale = Sale(
        id=sale_id or new_id(),
        community_id=artwork.community_id,
        edition=edition,
        kind=SaleKind.PRIMARY,
        seller=artwork.artist,
        buyer=buyer,
        price=artwork.price,
        artist_amount=parts.artist,
        trust_amount=parts.trust,
        trust=artwork.trust,
        at=now,
    )
    _pay(
        sale,
        [
            (payer, wallets.member(artwork.artist), parts.artist, "art_sale"),
            (payer, union_wallet, parts.trust, "art_trust"),
            (union_wallet, trust_wallet, parts.trust, "art_trust_payout"),
        ],
        _memo(edition),
        buyer,
        now,
    )
    sale.save(force_insert=True)
    edition.holder = buyer
    edition.original_investor = buyer
    edition.save(update_fields=["holder", "original_investor"])
    provenance.event_append(
        artwork=artwork,
        kind=EventKind.SALE,
        data={
            "edition": edition.number,
            "sale": str(sale.pk),
            "buyer": person(buyer),
            "price": sale.price,
            "artist": sale.artist_amount,
            "trust": sale.trust_amount,
            "transfers": sale.transfer_ids,
        },
        now=now,
    )
    _trust_event(artwork, sale, now)
    _chain_task(sale, ChainTaskKind.MINT, now)
    audit_record(
        action="art.edition.sold", actor=buyer, obj=sale, data={"price": sale.price}, now=now
    )
    return sale


def _trust_event(artwork: Artwork, sale: Sale, now: datetime) -> None:
    if sale.trust_amount > 0:
        provenance.event_append(
            artwork=artwork,
            kind=EventKind.TRUST_PAYOUT,
            data={
                "sale": str(sale.pk),
                "trust": artwork.trust.organization.name,
                "amount": sale.trust_amount,
                "transfer": sale.transfer_ids[-1],
            },
            now=now,
        )


def _price_check(price: object) -> int:
    if not isinstance(price, int) or isinstance(price, bool) or not 0 < price <= MAX_PRICE:
        message = _("A price is more than zero.")
        raise MutuaError(message, code="invalid", fields={"price": [message]})
    return price


@transaction.atomic
def listing_create(
    *, actor: Member, edition: Edition, price: int, now: datetime | None = None
) -> Listing:
    """Offer an edition one holds for resale at a price."""
    now = now or timezone.now()
    require(actor, "art.edition.buy", edition)
    price = _price_check(price)
    edition = _edition_locked(edition)
    if edition.holder_id != actor.pk:
        raise Forbidden(_("Only the edition's holder can list it."))
    if Listing.objects.filter(edition=edition, status=ListingStatus.OPEN).exists():
        raise Refused(_("This edition is listed already."), code="listed")
    listing = Listing.objects.create(
        community_id=edition.community_id,
        edition=edition,
        seller=actor,
        price=price,
        created_at=now,
    )
    provenance.event_append(
        artwork=edition.artwork,
        kind=EventKind.LISTED,
        data={"edition": edition.number, "seller": person(actor), "price": price},
        now=now,
    )
    audit_record(action="art.listing.created", actor=actor, obj=listing, now=now)
    return listing


def _listing_locked(listing: Listing) -> Listing:
    return Listing.objects.select_for_update().get(pk=listing.pk)


@transaction.atomic
def listing_withdraw(*, actor: Member, listing: Listing, now: datetime | None = None) -> Listing:
    now = now or timezone.now()
    require(actor, "art.edition.buy", listing)
    _edition_locked(listing.edition)
    listing = _listing_locked(listing)
    if listing.seller_id != actor.pk:
        raise Forbidden(_("Only the seller can withdraw a listing."))
    if listing.status != ListingStatus.OPEN:
        raise Conflict(_("This listing is no longer open."), code="not_open")
    listing.status, listing.closed_at = ListingStatus.WITHDRAWN, now
    listing.save(update_fields=["status", "closed_at"])
    provenance.event_append(
        artwork=listing.edition.artwork,
        kind=EventKind.UNLISTED,
        data={"edition": listing.edition.number, "seller": person(actor)},
        now=now,
    )
    return listing


@transaction.atomic
def listing_buy(
    *, buyer: Member, listing: Listing, sale_id: UUID | None = None, now: datetime | None = None
) -> Sale:
    """Buy a listed edition: one linked ledger batch pays the seller, the royalty's three parts
    and the trust; the edition and its token go to the buyer."""
    now = now or timezone.now()
    require(buyer, "art.edition.buy", listing)
    edition = _edition_locked(listing.edition)
    if (done := _existing(sale_id, buyer, edition)) is not None:
        return done
    listing = _listing_locked(listing)
    if listing.status != ListingStatus.OPEN:
        raise Conflict(_("This listing is no longer open."), code="not_open")
    if listing.seller_id == buyer.pk:
        raise Refused(_("You cannot buy your own listing."), code="own_listing")
    artwork: Artwork = edition.artwork
    parts = resale_split(
        price=listing.price,
        royalty_bps=artwork.royalty_bps,
        investor_bps=artwork.investor_bps,
        artist_bps=artwork.artist_royalty_bps,
        union_bps=artwork.union_bps,
    )
    wallets = _Wallets(artwork.community_id)
    union_wallet = wallets.organization(credit_union_of(artwork.community_id))
    payer = wallets.member(buyer)
    assert edition.original_investor is not None
    sale = Sale(
        id=sale_id or new_id(),
        community_id=artwork.community_id,
        edition=edition,
        kind=SaleKind.RESALE,
        listing=listing,
        seller=listing.seller,
        buyer=buyer,
        price=listing.price,
        royalty=parts.royalty,
        seller_amount=parts.seller,
        investor_amount=parts.investor,
        artist_amount=parts.artist,
        trust_amount=parts.union,
        trust=artwork.trust,
        at=now,
    )
    _pay(
        sale,
        [
            (payer, wallets.member(listing.seller), parts.seller, "art_resale"),
            (payer, wallets.member(edition.original_investor), parts.investor, "art_royalty"),
            (payer, wallets.member(artwork.artist), parts.artist, "art_royalty"),
            (payer, union_wallet, parts.union, "art_royalty"),
            (
                union_wallet,
                wallets.organization(artwork.trust.organization),
                parts.union,
                "art_trust_payout",
            ),
        ],
        _memo(edition),
        buyer,
        now,
    )
    sale.save(force_insert=True)
    listing.status, listing.closed_at = ListingStatus.SOLD, now
    listing.save(update_fields=["status", "closed_at"])
    edition.holder = buyer
    edition.save(update_fields=["holder"])
    _resale_events(artwork, edition, sale, now)
    _chain_task(sale, ChainTaskKind.MOVE, now)
    audit_record(
        action="art.edition.resold", actor=buyer, obj=sale, data={"price": sale.price}, now=now
    )
    return sale


def _resale_events(artwork: Artwork, edition: Edition, sale: Sale, now: datetime) -> None:
    provenance.event_append(
        artwork=artwork,
        kind=EventKind.RESALE,
        data={
            "edition": edition.number,
            "sale": str(sale.pk),
            "seller": person(sale.seller),
            "buyer": person(sale.buyer),
            "price": sale.price,
            "seller_amount": sale.seller_amount,
            "transfers": sale.transfer_ids,
        },
        now=now,
    )
    if sale.royalty > 0:
        provenance.event_append(
            artwork=artwork,
            kind=EventKind.ROYALTY,
            data={
                "sale": str(sale.pk),
                "royalty": sale.royalty,
                "investor": sale.investor_amount,
                "artist": sale.artist_amount,
                "credit_union": sale.trust_amount,
            },
            now=now,
        )
    _trust_event(artwork, sale, now)
