"""The chain after the ledger: tasks retried until they succeed, royalties paid on chain recorded
by `sync`, a process's in-memory chain replayed from the database, and `verify` finding every
disagreement between the log, the ledger and the chain."""

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import mutua.chain.gateway as gateway_module
from mutua.art import chainwork, sales
from mutua.art.custodial import custodial_address
from mutua.art.models import ChainTask, ChainTaskState, EventKind, ProvenanceEvent
from mutua.art.tests.conftest import Art
from mutua.art.verify import art_verify
from mutua.chain.boa_gateway import BoaGateway
from mutua.chain.gateway import ChainError
from mutua.ledger.models import Transfer


class FlakyGateway:
    """The real in-process chain, except that the first `failures` token moves are refused."""

    def __init__(self, real: BoaGateway, failures: int) -> None:
        self.real, self.failures = real, failures

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def signing_with(self, private_key: str) -> Any:
        signer = self.real.signing_with(private_key)
        outer = self

        class Signer:
            def transfer(self, **kw: Any) -> Any:
                if outer.failures > 0:
                    outer.failures -= 1
                    raise ChainError("node unreachable")
                return signer.transfer(**kw)

        return Signer()


def _resold(art: Art) -> None:
    sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)
    chainwork.chain_tasks_run(community_id=art.community.pk)
    listing = sales.listing_create(actor=art.ivan, edition=art.edition(1), price=200_000)
    sales.listing_buy(buyer=art.bea, listing=listing)


def test_a_failed_token_move_waits_and_is_retried(art: Art) -> None:
    gateway_module._gateway = FlakyGateway(art.chain, failures=2)  # type: ignore[assignment]
    _resold(art)
    first = chainwork.chain_tasks_run(community_id=art.community.pk)
    assert (first.done, first.failed) == (0, 1)
    task = ChainTask.objects.get(kind="move")
    assert (task.state, task.attempts, task.last_error) == ("pending", 1, "node unreachable")
    # The ledger does not wait for the chain: the buyer holds the edition already.
    assert art.edition(1).holder == art.bea
    assert chainwork.chain_tasks_run(community_id=art.community.pk).failed == 1
    call_command("art", "sync")
    task.refresh_from_db()
    assert (task.state, task.attempts) == (ChainTaskState.DONE, 3)
    contract = chainwork.edition_contract(art.community)
    owner = art.chain.owner_of(edition=contract, token_id=art.edition(1).token_id)
    assert owner == custodial_address(art.bea.pk)
    assert art_verify(art.community) == []


def test_sync_records_royalties_paid_on_chain(art: Art) -> None:
    sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)
    chainwork.chain_tasks_run(community_id=art.community.pk)
    edition = art.edition(1)
    marketplace = art.chain.acting_as(art.chain.new_account(balance_wei=10**18))
    marketplace.royalty_pay(splitter=edition.splitter, amount=99_999)
    assert art_verify(art.community) == [
        "edition River at Dusk #1 (token 0): its splitter received 99999 wei, the log says 0 "
        "(run `mutua art sync`)"
    ]
    assert chainwork.chain_royalties_sync(community=art.community) == 1
    assert chainwork.chain_royalties_sync(community=art.community) == 0  # nothing new
    event = ProvenanceEvent.objects.get(kind=EventKind.CHAIN_ROYALTY)
    # 50/30/20 of 99,999 with the 2 left over to the credit union.
    assert event.content["credited_wei"] == {
        "investor": "49999",
        "artist": "29999",
        "credit_union": "20001",
    }
    assert art_verify(art.community) == []


def test_a_new_process_replays_its_in_memory_chain(art: Art) -> None:
    _resold(art)
    chainwork.chain_tasks_run(community_id=art.community.pk)
    sales.edition_buy(buyer=art.bea, edition=art.edition(2), now=art.now)
    chainwork.chain_tasks_run(community_id=art.community.pk)
    fresh = BoaGateway()
    gateway_module._gateway = fresh
    assert art_verify(art.community) == []  # replayed: same contract, splitters and token ids
    contract = chainwork.edition_contract(art.community)
    for number in (1, 2):
        edition = art.edition(number)
        assert fresh.owner_of(edition=contract, token_id=edition.token_id) == custodial_address(
            art.bea.pk
        )


def test_verify_finds_a_token_moved_behind_the_platforms_back(art: Art) -> None:
    sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)
    chainwork.chain_tasks_run(community_id=art.community.pk)
    contract = chainwork.edition_contract(art.community)
    from mutua.art.custodial import custodial_key

    thief = art.chain.new_account()
    art.chain.signing_with(custodial_key(art.ivan.pk)).transfer(
        edition=contract, token_id=0, to=thief
    )
    problems = art_verify(art.community)
    assert len(problems) == 1 and "not by its holder's address" in problems[0]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("art", "verify")


def test_verify_finds_an_edited_provenance_event_and_a_missing_payout(art: Art) -> None:
    sale = sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)
    chainwork.chain_tasks_run(community_id=art.community.pk)
    # Someone with the database's keys lifts the append-only trigger (inside the test's
    # transaction, which rolls it back) and rewrites the sale's event.
    lift = {
        "sqlite": ["DROP TRIGGER art_provenanceevent_no_update"],
        "postgresql": [
            "SET CONSTRAINTS ALL IMMEDIATE",  # no deferred checks pending on the table
            "ALTER TABLE art_provenanceevent DISABLE TRIGGER art_provenanceevent_append_only",
        ],
    }[connection.vendor]
    with connection.cursor() as cursor:
        for statement in lift:
            cursor.execute(statement)
        cursor.execute(
            "UPDATE art_provenanceevent SET content = '{\"kind\": \"sale\"}' WHERE kind = 'sale'"
        )
    problems = art_verify(art.community)
    assert any("content does not match its hash" in p for p in problems)
    assert any(f"sale {sale.pk}" in p and "no provenance event" in p for p in problems)
    assert Transfer.objects.filter(code="art_trust_payout").count() == 1


def test_two_processes_chains_follow_the_database(art: Art) -> None:
    """Two gunicorn workers each have their own in-process chain: each brings its own up to the
    database before using it, so tokens minted and moved by one appear in the other."""
    first, second = art.chain, BoaGateway()
    _resold(art)  # worker one: mints edition 1 for Ivan; Bea buys it
    chainwork.chain_tasks_run(community_id=art.community.pk)
    gateway_module._gateway = second  # worker two sells edition 2 and mints it
    sales.edition_buy(buyer=art.ivan, edition=art.edition(2), now=art.now)
    chainwork.chain_tasks_run(community_id=art.community.pk)
    gateway_module._gateway = first  # back in worker one
    assert art_verify(art.community) == []
    contract = chainwork.edition_contract(art.community)
    for chain, token, holder in ((first, 1, art.ivan), (second, 0, art.bea)):
        assert chain.owner_of(edition=contract, token_id=token) == custodial_address(holder.pk)
