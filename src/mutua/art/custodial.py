"""Custodial chain accounts: the address that holds a member's editions on chain.

Members do not need a crypto wallet. Each member (and the credit union, as a royalty payee) has
an account derived from the operator's custody seed and their id: key = keccak(seed || id).
The platform signs for them, so a sale on the platform moves the token between the seller's and
the buyer's addresses on chain, and royalties that marketplaces pay on chain are credited in the
splitter to the same people. The seed is `MUTUA_CHAIN_CUSTODY_SEED` in the environment (keep it
in a secret store: it controls every custodial token), or, for the demo and tests, derived from
Django's SECRET_KEY.
"""

import os
from functools import cache
from uuid import UUID

from django.conf import settings
from eth_account import Account
from eth_utils import keccak


def _seed() -> bytes:
    seed = os.environ.get("MUTUA_CHAIN_CUSTODY_SEED", "").strip()
    if seed:
        return seed.encode("utf-8")
    return keccak(text="mutua-custody:" + str(settings.SECRET_KEY))


def custodial_key(owner_id: UUID) -> str:
    return "0x" + keccak(_seed() + owner_id.bytes).hex()


@cache
def _address(key: str) -> str:
    return str(Account.from_key(key).address)


def custodial_address(owner_id: UUID) -> str:
    return _address(custodial_key(owner_id))
