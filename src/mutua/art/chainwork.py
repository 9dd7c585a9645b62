"""What the chain does for art, after the database committed: mint editions, move tokens, and
read back the royalties that marketplaces paid on chain (`mutua art sync`).

A sale leaves a `ChainTask` (mint after a first sale, move after a resale). `chain_tasks_run`
does the pending tasks of a community in the order they were made, each edition's in turn: a
task that fails stays pending with its error and attempt count, and holds back its edition's later
tasks, until a later run (the next sale's commit, `mutua art sync`, or an officer's "retry" on
the page) succeeds. A move is idempotent: if the token already belongs to the buyer (the chain
did it, the database missed it), the task is marked done.

The community has one edition contract (`ArtContract`, deployed on first use). Each minted
edition gets its own royalty splitter: payees the original investor, the artist and the credit
union (the remainder payee), by the artwork's royalty shares, each as their custodial address
(`custodial.py`); the token's ERC-2981 receiver is that splitter.

The in-process chain (`BoaGateway`, demo and tests) lives in one process's memory, and each
process (a gunicorn worker, `mutua art verify`) has its own. Before each use, a process brings its
chain up to the database (`_mirror`): it deploys the contract if its chain lacks it, mints what
it has not minted, in token order, straight to each token's holder, and moves tokens that other
processes moved. The operator account and its nonces are the same on every in-process chain and
mints take turns on the contract's row, so this gives the recorded addresses and token ids; if it
does not, it stops with an error.
"""

import logging
import threading
import weakref
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mutua.art import provenance
from mutua.art.custodial import custodial_address, custodial_key
from mutua.art.models import (
    ArtContract,
    Artwork,
    ChainTask,
    ChainTaskKind,
    ChainTaskState,
    Edition,
    EventKind,
)
from mutua.art.provenance import person
from mutua.art.sales import credit_union_of
from mutua.chain.gateway import ChainError, ChainGateway, Payee, chain_gateway
from mutua.community.models import Community
from mutua.core.tenancy import community_scope

log = logging.getLogger(__name__)
MAX_BASE_URI = 80


def base_uri(community: Community) -> str:
    return f"{settings.MUTUA_SITE_URL}/art/nft/{community.slug}/"


def _gateway() -> ChainGateway:
    return chain_gateway()


def edition_contract(community: Community) -> str:
    """The community's edition contract address, deploying it (or replaying it) if needed."""
    gateway = _gateway()
    found = ArtContract.objects.filter(community=community).first()
    if found is not None:
        _mirror(gateway, community, found.address)
        return found.address
    uri = base_uri(community)
    if len(uri) > MAX_BASE_URI:
        raise ChainError(f"the metadata address {uri!r} is longer than {MAX_BASE_URI} characters")
    deployed = gateway.edition_deploy(name=community.name[:25], symbol="MUTUA", base_uri=uri)
    ArtContract.objects.create(community=community, address=deployed.address)
    return deployed.address


def _payees(edition: Edition) -> tuple[list[Payee], str]:
    artwork = edition.artwork
    union = credit_union_of(artwork.community_id)
    assert edition.original_investor_id is not None
    shares = [
        (custodial_address(edition.original_investor_id), artwork.investor_bps),
        (custodial_address(artwork.artist_id), artwork.artist_royalty_bps),
        (custodial_address(union.pk), artwork.union_bps),
    ]
    payees = [Payee(address, bps) for address, bps in shares if bps > 0]
    return payees, custodial_address(union.pk)


def _mint(edition: Edition, contract: str, owner_id: UUID) -> tuple[str, int, str]:
    gateway = _gateway()
    payees, remainder = _payees(edition)
    splitter = gateway.splitter_deploy(payees=payees, remainder_payee=remainder)
    minted = gateway.mint(
        edition=contract,
        owner=custodial_address(owner_id),
        royalty_receiver=splitter.address,
        royalty_bps=edition.artwork.royalty_bps,
    )
    return splitter.address, minted.token_id, minted.receipt.tx_hash


# What each in-process chain of this process holds: edition id -> the member whose custodial
# address holds its token there. A real network (a gateway without `knows`) is never mirrored.
_mirrors: "weakref.WeakKeyDictionary[Any, dict[UUID, UUID]]" = weakref.WeakKeyDictionary()
_mirror_lock = threading.RLock()


def _mirror(gateway: Any, community: Community, address: str) -> None:
    """Bring an in-process chain up to the database: deploy the contract if this chain lacks it,
    mint (in token order) what other processes minted, and move tokens other processes moved."""
    if getattr(gateway, "knows", None) is None:
        return
    with _mirror_lock:
        held = _mirrors.setdefault(gateway, {})
        if not gateway.knows(address):
            held.clear()
            deployed = gateway.edition_deploy(
                name=community.name[:25], symbol="MUTUA", base_uri=base_uri(community)
            )
            if deployed.address != address:
                raise ChainError("replaying the in-process chain gave another edition contract")
        moving = set(
            ChainTask.objects.filter(
                community=community, kind=ChainTaskKind.MOVE, state=ChainTaskState.PENDING
            ).values_list("edition_id", flat=True)
        )
        for edition in (
            Edition.objects.filter(community=community, token_id__isnull=False)
            .select_related("artwork")
            .order_by("token_id")
        ):
            assert edition.holder_id is not None and edition.token_id is not None
            if edition.pk not in held:
                splitter, token_id, _tx = _mint(edition, address, edition.holder_id)
                if (splitter, token_id) != (edition.splitter, edition.token_id):
                    raise ChainError("replaying the in-process chain gave other editions")
            elif held[edition.pk] != edition.holder_id and edition.pk not in moving:
                gateway.signing_with(custodial_key(held[edition.pk])).transfer(
                    edition=address,
                    token_id=edition.token_id,
                    to=custodial_address(edition.holder_id),
                )
            held[edition.pk] = edition.holder_id


def _mirror_note(edition_id: UUID, holder_id: UUID) -> None:
    gateway = _gateway()
    if getattr(gateway, "knows", None) is not None:
        with _mirror_lock:
            _mirrors.setdefault(gateway, {})[edition_id] = holder_id


def _do_mint(task: ChainTask, now: datetime) -> str:
    edition = task.edition
    if edition.token_id is not None:  # minted, the database's record of the task was lost
        return ""
    # Mints take turns on the contract's row, so token ids follow the database's order.
    ArtContract.objects.select_for_update().filter(community_id=task.community_id).exists()
    contract = edition_contract(edition.artwork.community)
    splitter, token_id, tx_hash = _mint(edition, contract, task.to_member_id)
    edition.splitter, edition.token_id = splitter, token_id
    edition.save(update_fields=["splitter", "token_id"])
    _mirror_note(edition.pk, task.to_member_id)
    provenance.event_append(
        artwork=edition.artwork,
        kind=EventKind.MINT,
        data={
            "edition": edition.number,
            "contract": contract,
            "token_id": token_id,
            "owner": custodial_address(task.to_member_id),
            "splitter": splitter,
            "royalty_bps": edition.artwork.royalty_bps,
            "tx": tx_hash,
        },
        now=now,
    )
    return tx_hash


def _do_move(task: ChainTask, now: datetime) -> str:
    edition = task.edition
    if edition.token_id is None:
        raise ChainError("the edition is not minted yet")
    gateway = _gateway()
    contract = edition_contract(edition.artwork.community)
    to = custodial_address(task.to_member_id)
    holder = gateway.owner_of(edition=contract, token_id=edition.token_id)
    if holder.lower() == to.lower():
        _mirror_note(edition.pk, task.to_member_id)
        return ""
    seller_id = task.sale.seller_id
    if holder.lower() != custodial_address(seller_id).lower():
        raise ChainError(f"the token is held on chain by {holder}, not by the seller")
    if settings.MUTUA_CHAIN_GAS_TOPUP_WEI:
        gateway.fund(to=holder, amount=settings.MUTUA_CHAIN_GAS_TOPUP_WEI)
    receipt = gateway.signing_with(custodial_key(seller_id)).transfer(
        edition=contract, token_id=edition.token_id, to=to
    )
    _mirror_note(edition.pk, task.to_member_id)
    provenance.event_append(
        artwork=edition.artwork,
        kind=EventKind.TOKEN_MOVED,
        data={
            "edition": edition.number,
            "token_id": edition.token_id,
            "from": person(task.sale.seller),
            "to": person(task.sale.buyer),
            "tx": receipt.tx_hash,
        },
        now=now,
    )
    return receipt.tx_hash


def _task_run(task_id: UUID) -> bool:
    """One task in its own transaction; False if the chain refused (recorded on the task)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            task = (
                ChainTask.objects.select_for_update()
                .select_related("edition__artwork__community", "sale__seller", "sale__buyer")
                .get(pk=task_id)
            )
            if task.state == ChainTaskState.DONE:
                return True
            Artwork.objects.select_for_update().filter(pk=task.edition.artwork_id).exists()
            do = _do_mint if task.kind == ChainTaskKind.MINT else _do_move
            task.tx_hash = do(task, now) or task.tx_hash
            task.state, task.done_at, task.attempts = ChainTaskState.DONE, now, task.attempts + 1
            task.last_error = ""
            task.save()
            return True
    except ChainError as error:
        ChainTask.objects.filter(pk=task_id).update(
            attempts=F("attempts") + 1, last_error=str(error)[:500]
        )
        log.warning("chain task %s failed: %s", task_id, error)
        return False


class TasksRun(NamedTuple):
    done: int
    failed: int
    waiting: int


def chain_tasks_run(*, community_id: UUID) -> TasksRun:
    """Run the community's pending chain tasks in order; an edition whose task fails waits."""
    done = failed = waiting = 0
    blocked: set[UUID] = set()
    with community_scope(community_id):
        pending = list(
            ChainTask.objects.filter(community_id=community_id, state=ChainTaskState.PENDING)
            .order_by("created_at", "id")
            .values_list("pk", "edition_id")
        )
        for task_id, edition_id in pending:
            if edition_id in blocked:
                waiting += 1
            elif _task_run(task_id):
                done += 1
            else:
                failed += 1
                blocked.add(edition_id)
    return TasksRun(done, failed, waiting)


def chain_tasks_run_quietly(*, community_id: UUID) -> None:
    """After a sale's commit: try now; whatever fails is retried later, never the buyer's error."""
    try:
        chain_tasks_run(community_id=community_id)
    except Exception:  # the sale is committed; the task stays pending for `mutua art sync`
        log.exception("chain tasks of community %s could not run", community_id)


def chain_royalties_sync(*, community: Community, now: datetime | None = None) -> int:
    """Record in provenance what each edition's splitter received on chain since the last sync;
    returns how many editions had new royalties."""
    now = now or timezone.now()
    gateway = _gateway()
    edition_contract(community)
    union = credit_union_of(community.pk)
    found = 0
    for edition in Edition.objects.filter(community=community, token_id__isnull=False).exclude(
        splitter=""
    ):
        received = gateway.received(splitter=edition.splitter)
        if received <= edition.chain_received:
            continue
        with transaction.atomic():
            locked = (
                Edition.objects.select_for_update().select_related("artwork").get(pk=edition.pk)
            )
            new = received - int(locked.chain_received)
            if new <= 0:
                continue
            payees = {
                "investor": locked.original_investor_id,
                "artist": locked.artwork.artist_id,
                "credit_union": union.pk,
            }
            credited = {
                name: gateway.credited(splitter=locked.splitter, payee=custodial_address(owner))
                for name, owner in payees.items()
                if owner is not None
            }
            provenance.event_append(
                artwork=locked.artwork,
                kind=EventKind.CHAIN_ROYALTY,
                data={
                    "edition": locked.number,
                    "received_wei": str(new),
                    "total_received_wei": str(received),
                    "credited_wei": {name: str(amount) for name, amount in credited.items()},
                },
                now=now,
            )
            locked.chain_received = received
            locked.save(update_fields=["chain_received"])
            found += 1
    return found
