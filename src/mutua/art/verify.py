"""`mutua art verify`: every check that the art's three records agree, all problems at once.

1. **Provenance**: each artwork's hash chain verifies (no edited, inserted or deleted event).
2. **Log and ledger**: every sale's ledger transfers exist, were posted, and carry the sale's
   parts (their amounts sum to the price plus the trust's payout); each trust's money raised (the
   sum of its sales' trust parts) equals the ledger's `art_trust_payout` transfers into its wallet;
   every sale has its provenance event.
3. **Log and chain**: every minted edition whose chain tasks are done is held on chain by its
   holder's custodial address, names its splitter as royalty receiver, and its splitter has
   received exactly what the log recorded (`mutua art sync` records new receipts first).

Problems are plain strings naming the artwork or trust, beancount style.
"""

from django.db.models import Sum

from mutua.art.chainwork import edition_contract
from mutua.art.custodial import custodial_address
from mutua.art.models import (
    Artwork,
    ChainTask,
    ChainTaskState,
    Edition,
    LandTrust,
    ProvenanceEvent,
    Sale,
)
from mutua.art.provenance import provenance_problems
from mutua.chain.gateway import ChainError, chain_gateway
from mutua.community.models import Community
from mutua.currency.selectors import currency_of, wallet_of
from mutua.ledger.models import Transfer


def _provenance(community: Community) -> list[str]:
    return [
        f"artwork {artwork.pk} ({artwork.title}): provenance event {p.seq}: {p.problem}"
        for artwork in Artwork.objects.filter(community=community)
        for p in provenance_problems(artwork)
    ]


def _sales(community: Community) -> list[str]:
    problems = []
    logged = {
        str(e.content.get("sale"))
        for e in ProvenanceEvent.objects.filter(community=community, kind__in=["sale", "resale"])
    }
    for sale in Sale.objects.filter(community=community).select_related("edition__artwork"):
        name = f"sale {sale.pk} ({sale.edition.artwork.title} #{sale.edition.number})"
        transfers = list(Transfer.objects.filter(pk__in=sale.transfer_ids))
        if len(transfers) != len(sale.transfer_ids):
            problems.append(
                f"{name}: {len(sale.transfer_ids) - len(transfers)} transfer(s) missing"
            )
        paid = sum(t.amount for t in transfers)
        if paid != sale.price + sale.trust_amount:
            problems.append(
                f"{name}: the ledger moved {paid}, the sale says {sale.price} + {sale.trust_amount}"
            )
        if str(sale.pk) not in logged:
            problems.append(f"{name}: no provenance event")
    return problems


def _trusts(community: Community) -> list[str]:
    problems = []
    currency = currency_of(community)
    for trust in LandTrust.objects.filter(community=community).select_related("organization"):
        raised = Sale.objects.filter(trust=trust).aggregate(t=Sum("trust_amount"))["t"] or 0
        wallet = wallet_of(currency=currency, organization=trust.organization)
        received = 0
        if wallet is not None:
            received = (
                Transfer.objects.filter(credit_account=wallet, code="art_trust_payout").aggregate(
                    t=Sum("amount")
                )["t"]
                or 0
            )
        if raised != received:
            problems.append(
                f"trust {trust.organization.name}: sales say {raised}, the ledger paid {received}"
            )
    return problems


def _chain(community: Community) -> list[str]:
    minted = Edition.objects.filter(community=community, token_id__isnull=False)
    if not minted.exists():
        return []
    gateway = chain_gateway()
    problems = []
    try:
        contract = edition_contract(community)
    except ChainError as error:
        return [f"chain: the edition contract cannot be reached: {error}"]
    waiting = set(
        ChainTask.objects.filter(community=community, state=ChainTaskState.PENDING).values_list(
            "edition_id", flat=True
        )
    )
    for edition in minted.select_related("artwork"):
        name = f"edition {edition.artwork.title} #{edition.number} (token {edition.token_id})"
        assert edition.token_id is not None and edition.holder_id is not None
        try:
            owner = gateway.owner_of(edition=contract, token_id=edition.token_id)
            info = gateway.royalty_info(edition=contract, token_id=edition.token_id, sale_price=0)
            received = gateway.received(splitter=edition.splitter)
        except ChainError as error:
            problems.append(f"{name}: cannot be read on chain: {error}")
            continue
        if edition.pk not in waiting and owner != custodial_address(edition.holder_id):
            problems.append(f"{name}: held on chain by {owner}, not by its holder's address")
        if info.receiver != edition.splitter:
            problems.append(f"{name}: royalties go to {info.receiver}, not to its splitter")
        if received != edition.chain_received:
            problems.append(
                f"{name}: its splitter received {received} wei, the log says "
                f"{edition.chain_received} (run `mutua art sync`)"
            )
    return problems


def art_verify(community: Community) -> list[str]:
    return _provenance(community) + _sales(community) + _trusts(community) + _chain(community)
