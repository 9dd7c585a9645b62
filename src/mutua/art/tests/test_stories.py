"""Worked examples of art for land, told as stories through the ledger, the provenance log and the
chain."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.art import chainwork, sales, services
from mutua.art.custodial import custodial_address
from mutua.art.models import ChainTask, ChainTaskState, Edition, Sale
from mutua.art.selectors import timeline, trust_totals
from mutua.art.tests.conftest import OBJECT, Art, png_bytes
from mutua.ledger.models import Transfer


def test_first_sale_pays_artist_and_trust_and_mints_to_the_investor(art: Art) -> None:
    sale = sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)

    assert (sale.artist_amount, sale.trust_amount) == (70_000, 30_000)
    assert art.balance(art.ada) == 70_000
    assert art.balance(art.land) == 30_000
    assert art.balance(art.union) == 0  # the union passes the trust's part on
    assert art.balance(art.ivan) == 1_000_000 - 100_000
    edition = art.edition(1)
    assert edition.original_investor == art.ivan and edition.holder == art.ivan

    assert chainwork.chain_tasks_run(community_id=art.community.pk).done == 1
    edition.refresh_from_db()
    contract = chainwork.edition_contract(art.community)
    assert art.chain.owner_of(edition=contract, token_id=edition.token_id) == custodial_address(
        art.ivan.pk
    )
    info = art.chain.royalty_info(edition=contract, token_id=edition.token_id, sale_price=999_999)
    assert (info.receiver, info.amount) == (edition.splitter, 99_999)
    assert timeline(art.artwork).problems == []


def test_resale_splits_the_royalty_and_moves_the_token(art: Art) -> None:
    sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)
    listing = sales.listing_create(actor=art.ivan, edition=art.edition(1), price=999_999)
    sale = sales.listing_buy(buyer=art.bea, listing=listing)

    # 10 % of 999,999 is 99,999, shared 50/30/20 with the remainder to the credit union.
    assert (sale.seller_amount, sale.royalty) == (900_000, 99_999)
    assert (sale.investor_amount, sale.artist_amount, sale.trust_amount) == (49_999, 29_999, 20_001)
    assert art.balance(art.ivan) == 1_000_000 - 100_000 + 900_000 + 49_999
    assert art.balance(art.ada) == 70_000 + 29_999
    assert art.balance(art.land) == 30_000 + 20_001
    assert art.edition(1).holder == art.bea
    assert art.edition(1).original_investor == art.ivan

    chainwork.chain_tasks_run(community_id=art.community.pk)
    edition = art.edition(1)
    contract = chainwork.edition_contract(art.community)
    assert art.chain.owner_of(edition=contract, token_id=edition.token_id) == custodial_address(
        art.bea.pk
    )
    assert not ChainTask.objects.filter(state=ChainTaskState.PENDING).exists()

    totals = trust_totals(art.trust)
    payouts = Transfer.objects.filter(credit_account=art.wallet(art.land), code="art_trust_payout")
    assert totals.raised == sum(t.amount for t in payouts) == 50_001
    # The first project (50,000) is full; one cent is on the second.
    assert [p.funded for p in totals.projects] == [50_000, 1]


def test_a_sale_retried_with_its_id_is_made_once(art: Art) -> None:
    first = sales.edition_buy(buyer=art.ivan, edition=art.edition(2), now=art.now)
    again = sales.edition_buy(buyer=art.ivan, edition=art.edition(2), sale_id=first.pk)
    assert again.pk == first.pk
    assert Sale.objects.count() == 1
    assert art.balance(art.ivan) == 900_000


def test_custody_moves_when_both_parties_confirm(art: Art) -> None:
    fields = services.HandoffFields(
        released_by=art.ada,
        received_by=art.ruth,
        received_for=art.land,
        place="Riverbend CLT office",
        at=art.now,
        condition="good; frame nick as recorded",
    )
    handoff = services.handoff_propose(actor=art.ada, artwork=art.artwork, fields=fields)
    assert services.custodian_of(art.artwork).member == art.ada
    services.handoff_confirm(actor=art.ruth, handoff=handoff)
    holder = services.custodian_of(art.artwork)
    assert (holder.member, holder.organization) == (art.ruth, art.land)
    assert timeline(art.artwork).problems == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    price=st.integers(1, 50_000),
    resale_price=st.integers(1, 50_000),
    artist_bps=st.integers(0, 10_000),
    royalty_bps=st.integers(0, 5_000),
    investor_bps=st.integers(0, 5_000),
    artist_royalty_bps=st.integers(0, 4_999),
)
def test_every_sale_moves_exactly_its_price_through_the_ledger(
    art: Art,
    price: int,
    resale_price: int,
    artist_bps: int,
    royalty_bps: int,
    investor_bps: int,
    artist_royalty_bps: int,
) -> None:
    terms = services.Terms(
        editions=1,
        price=price,
        artist_bps=artist_bps,
        royalty_bps=royalty_bps,
        investor_bps=investor_bps,
        artist_royalty_bps=artist_royalty_bps,
        union_bps=10_000 - investor_bps - artist_royalty_bps,
    )
    artwork = services.artwork_register(actor=art.ada, fields=OBJECT, terms=terms)
    services.photo_add(actor=art.ada, artwork=artwork, data=png_bytes())
    services.artwork_publish(actor=art.ada, artwork=artwork)
    edition = Edition.objects.get(artwork=artwork)
    first = sales.edition_buy(buyer=art.ivan, edition=edition)
    listing = sales.listing_create(actor=art.ivan, edition=edition, price=resale_price)
    second = sales.listing_buy(buyer=art.bea, listing=listing)
    for sale in (first, second):
        moved = Transfer.objects.filter(pk__in=sale.transfer_ids)
        from_buyer = sum(t.amount for t in moved if t.debit_account_id == art.wallet(sale.buyer).pk)
        to_trust = sum(t.amount for t in moved if t.code == "art_trust_payout")
        assert from_buyer == sale.price
        assert to_trust == sale.trust_amount
    assert first.artist_amount + first.trust_amount == price
    assert second.seller_amount + second.royalty == resale_price
