"""Reads of the ledger: balances, history with running balance, statements, and verification.

`ledger_verify` recomputes everything from the transfers and reports every problem it finds, as
a list (beancount style), rather than stopping at the first.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When

from mutua.community.permissions import may
from mutua.core.hashchain import link_hash
from mutua.ledger.chain import digest_compute, transfer_content
from mutua.ledger.domain import chain_prev
from mutua.ledger.models import Account, ChainDigest, Ledger, Transfer

GENESIS = "0" * 64


class Problem(NamedTuple):
    where: str
    problem: str


class HistoryLine(NamedTuple):
    transfer: Transfer
    change: int  # + credited to the account, - debited from it (posted amounts only)
    balance: int  # the posted balance after this line


def account_history(
    *, account: Account, since: datetime | None = None, until: datetime | None = None
) -> Iterator[HistoryLine]:
    """The account's transfers in order with the running posted balance."""
    # The account's own chain order: transfers of one batch share a timestamp, and their ids
    # need not sort in the order they were applied.
    transfers = (
        Transfer.objects.filter(Q(debit_account=account) | Q(credit_account=account))
        .annotate(
            seq=Case(When(debit_account=account, then=F("debit_seq")), default=F("credit_seq"))
        )
        .order_by("seq")
    )
    balance = 0
    if since is not None:
        balance = _posted_balance(account, before=since)
        transfers = transfers.filter(created_at__gte=since)
    if until is not None:
        transfers = transfers.filter(created_at__lt=until)
    for transfer in transfers.iterator(chunk_size=2000):
        change = 0
        if transfer.kind in ("posted", "post"):
            change = (
                transfer.amount if transfer.credit_account_id == account.id else -transfer.amount
            )
        balance += change
        yield HistoryLine(transfer, change, balance)


def _posted_balance(account: Account, *, before: datetime) -> int:
    posted = Transfer.objects.filter(kind__in=["posted", "post"], created_at__lt=before)
    credits = posted.filter(credit_account=account).aggregate(s=Sum("amount"))["s"] or 0
    debits = posted.filter(debit_account=account).aggregate(s=Sum("amount"))["s"] or 0
    return credits - debits


@dataclass
class Statement:
    account: Account
    since: datetime
    until: datetime
    opening: int
    lines: list[HistoryLine]

    @property
    def closing(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening


def account_statement(*, account: Account, since: datetime, until: datetime) -> Statement:
    return Statement(
        account,
        since,
        until,
        _posted_balance(account, before=since),
        list(account_history(account=account, since=since, until=until)),
    )


# --- verification ----------------------------------------------------------------------------


def ledger_verify(*, ledger: Ledger | None = None) -> list[Problem]:
    """Every problem in the books (empty when they are sound): totals recomputed from transfers,
    debits equal to credits per ledger, pending transfers resolved at most once, hash chains."""
    accounts = Account.objects.all() if ledger is None else Account.objects.filter(ledger=ledger)
    accounts = accounts.order_by("id")
    transfers = Transfer.objects.all() if ledger is None else Transfer.objects.filter(ledger=ledger)
    problems: list[Problem] = []
    problems += _verify_totals(accounts, transfers)
    problems += _verify_balanced(accounts)
    problems += _verify_resolutions(transfers)
    problems += _verify_chains(accounts, transfers)
    problems += _verify_digests(ledger)
    return problems


def _sums(transfers: QuerySet[Transfer], side: str) -> dict[tuple[UUID, str], int]:
    rows = transfers.values(f"{side}_account_id", "kind").annotate(total=Sum("amount"))
    return {(row[f"{side}_account_id"], row["kind"]): row["total"] for row in rows}


def _released(transfers: QuerySet[Transfer], side: str) -> dict[UUID, int]:
    rows = (
        transfers.filter(kind__in=["post", "void"])
        .values(f"{side}_account_id")
        .annotate(total=Sum("pending__amount"))
    )
    return {row[f"{side}_account_id"]: row["total"] for row in rows}


def _verify_totals(accounts: QuerySet[Account], transfers: QuerySet[Transfer]) -> list[Problem]:
    problems = []
    debits, credits = _sums(transfers, "debit"), _sums(transfers, "credit")
    released_d, released_c = _released(transfers, "debit"), _released(transfers, "credit")
    for a in accounts:
        expected = {
            "debits_posted": debits.get((a.id, "posted"), 0) + debits.get((a.id, "post"), 0),
            "credits_posted": credits.get((a.id, "posted"), 0) + credits.get((a.id, "post"), 0),
            "debits_pending": debits.get((a.id, "pending"), 0) - released_d.get(a.id, 0),
            "credits_pending": credits.get((a.id, "pending"), 0) - released_c.get(a.id, 0),
        }
        for name, value in expected.items():
            if getattr(a, name) != value:
                problems.append(
                    Problem(
                        f"account {a.code}",
                        f"{name} is {getattr(a, name)}, its transfers say {value}",
                    )
                )
        if not a.unlimited and a.available < 0:
            problems.append(Problem(f"account {a.code}", "is below its credit limit"))
    return problems


def _verify_balanced(accounts: QuerySet[Account]) -> list[Problem]:
    totals = (
        accounts.order_by()
        .values("ledger__code")
        .annotate(
            dp=Sum("debits_posted"),
            cp=Sum("credits_posted"),
            dh=Sum("debits_pending"),
            ch=Sum("credits_pending"),
        )
    )
    problems = []
    for row in totals:
        if row["dp"] != row["cp"]:
            problems.append(
                Problem(
                    f"ledger {row['ledger__code']}",
                    f"posted debits {row['dp']} differ from credits {row['cp']}",
                )
            )
        if row["dh"] != row["ch"]:
            problems.append(
                Problem(
                    f"ledger {row['ledger__code']}",
                    f"pending debits {row['dh']} differ from credits {row['ch']}",
                )
            )
    return problems


def _verify_resolutions(transfers: QuerySet[Transfer]) -> list[Problem]:
    twice = (
        transfers.filter(pending__isnull=False)
        .values("pending_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return [Problem(f"transfer {row['pending_id']}", f"resolved {row['n']} times") for row in twice]


def _verify_chains(accounts: QuerySet[Account], transfers: QuerySet[Transfer]) -> list[Problem]:
    links: dict[UUID, list[tuple[int, str, Any]]] = defaultdict(list)
    problems = []
    for t in transfers.order_by("created_at", "id").iterator(chunk_size=2000):
        if (
            link_hash(chain_prev(t.debit_prev_hash, t.credit_prev_hash), transfer_content(t))
            != t.hash
        ):
            problems.append(Problem(f"transfer {t.id}", "content does not match its hash"))
        links[t.debit_account_id].append((t.debit_seq, t.debit_prev_hash, t))
        links[t.credit_account_id].append((t.credit_seq, t.credit_prev_hash, t))
    for a in accounts:
        head, expected = GENESIS, 1
        for seq, prev, t in sorted(links.get(a.id, []), key=lambda link: link[0]):
            if seq != expected or prev != head:
                problems.append(Problem(f"account {a.code}", f"chain broken at its transfer {seq}"))
            head, expected = t.hash, seq + 1
        if (a.transfer_count, a.head_hash) != (expected - 1, head):
            problems.append(Problem(f"account {a.code}", "head does not match its last transfer"))
    return problems


def _verify_digests(ledger: Ledger | None) -> list[Problem]:
    digests = ChainDigest.objects.select_related("ledger")
    if ledger is not None:
        digests = digests.filter(ledger=ledger)
    problems = []
    for published in digests:
        digest, count = digest_compute(ledger=published.ledger, at=published.taken_at)
        if (digest, count) != (published.digest, published.transfer_count):
            problems.append(
                Problem(
                    f"digest of {published.taken_at:%Y-%m-%d %H:%M}",
                    "history differs from what was published then",
                )
            )
    return problems


def account_list_for(*, viewer: Any) -> list[Account]:
    """The accounts a member may see: their own and their organizations' (officers: all)."""
    rows = Account.objects.filter(community_id=viewer.tenant_id).select_related("ledger")
    return [
        a
        for a in rows.order_by("ledger__code", "kind", "code")
        if may(viewer, "ledger.account.view", a)
    ]
