"""The bank test's Django side, run in a process of its own (`bank.django_run`), with
`DJANGO_SETTINGS_MODULE` and `DATABASE_URL` set:

    python -m mutua.ledger.tests.bank_books setup BANK.json WALLETS FUNDS
    python -m mutua.ledger.tests.bank_books audit BANK.json

`setup` opens the bank through the services (community, credit union, members, wallets bought
at par, API tokens) and writes BANK.json; `audit` prints, as JSON, what the books hold and what
`mutua ledger verify` and `mutua audit verify` say. The test's own process never imports Django.
"""

import io
import json
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from mutua.ledger.tests.bank import CODE


def setup(path: Path, wallet_count: int, funds: int) -> None:
    """The bank: a community whose credit union sells each member `funds` local cents at par."""
    from mutua.community import services as community
    from mutua.community.roles import OrganizationKind, Role
    from mutua.core.ids import new_id
    from mutua.core.tenancy import community_scope
    from mutua.currency import services as currency
    from mutua.ledger.models import Transfer

    town = community.community_create(
        name="Bank", slug="bank", currency_name="Bank dollar", currency_code="BK"
    )
    wallets = []
    with community_scope(town.id):
        union = community.organization_create(
            community=town, kind=OrganizationKind.CREDIT_UNION, name="Credit union", slug="cu"
        )
        officer = community.member_create(
            community=town, handle="officer", display_name="Officer", password=None
        )
        community.membership_grant(
            actor=None, member=officer, role=Role.CU_OFFICER, organization=union
        )
        money = currency.currency_open(community=town, actor=officer, rate_bps=10_000)
        for n in range(wallet_count):
            member = community.member_create(
                community=town, handle=f"payer{n:03}", display_name=f"Payer {n}", password=None
            )
            wallet = currency.wallet_open(currency=money, officer=officer, member=member)
            currency.exchange_in(
                currency=money, officer=officer, account=wallet, dollars=funds, id=new_id()
            )
            wallet.refresh_from_db()
            _token, raw = community.api_token_create(member=member, name="bank test")
            wallets.append(
                {
                    "handle": member.handle,
                    "account": str(wallet.id),
                    "token": raw,
                    "funds": wallet.balance_posted,
                }
            )
        setup_transfers = Transfer.objects.count()
    bank = {
        "community": str(town.id),
        "wallets": wallets,
        "total": sum(w["funds"] for w in wallets),
        "setup_transfers": setup_transfers,
    }
    path.write_text(json.dumps(bank))


def audit(bank: dict[str, Any]) -> dict[str, Any]:
    """What the ledger holds: each payment (by code) with how many rows carry its id, the other
    transfers' number, the wallets' posted balances; and what `mutua ledger verify` and `mutua
    audit verify` say (the commands themselves, in this process: one Django start, not three)."""
    from django.db.models import Count

    from mutua.core.tenancy import community_scope
    from mutua.ledger.models import Account, Transfer

    with community_scope(UUID(bank["community"])):
        payments = Transfer.objects.filter(code=CODE)
        rows = payments.values_list("id", "debit_account_id", "credit_account_id", "amount")
        counts = payments.values("id").annotate(rows=Count("*")).values_list("id", "rows")
        accounts = [w["account"] for w in bank["wallets"]]
        balances = Account.objects.filter(pk__in=accounts)
        held = {
            "payments": [[str(i), str(d), str(c), a] for i, d, c, a in rows],
            "counts": {str(i): n for i, n in counts},
            "other_transfers": Transfer.objects.exclude(code=CODE).count(),
            "balances": {str(a.id): a.balance_posted for a in balances},
        }
    return held | {"verify": {name: command_output(name, "verify") for name in ("ledger", "audit")}}


def command_output(*args: str) -> dict[str, Any]:
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=out)
    except CommandError as error:  # what the command line prints and exits non-zero with
        return {"clean": False, "output": f"{out.getvalue()}{error}".strip()}
    return {"clean": True, "output": out.getvalue().strip()}


def main(command: str, path: str, *args: str) -> None:
    import django

    django.setup()
    if command == "setup":
        setup(Path(path), int(args[0]), int(args[1]))
    elif command == "audit":
        print(json.dumps(audit(json.loads(Path(path).read_text()))))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
