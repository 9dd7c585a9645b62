"""Writes of the core app: appending to the audit log.

`audit_record` is called inside the caller's transaction, so an action and its audit entry commit
or roll back together. Appends to one chain are serialised: on PostgreSQL by a transaction-scoped
advisory lock on the chain, on SQLite by the database's single writer (transactions begin
IMMEDIATE). The unique (chain, seq) constraint is the backstop if either is ever bypassed.
"""

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from mutua.core.hashchain import GENESIS, link_hash
from mutua.core.models import PLATFORM_CHAIN, AuditEntry

_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _lock_chain(chain: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"audit:{chain}"])


def audit_record(
    *,
    action: str,
    actor: Any = None,
    community_id: UUID | None = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one entry. `action` is a dotted code such as `community.household.needs_viewed`."""
    if not _ACTION.match(action):
        raise ValueError(
            f"audit action must be a dotted code like 'app.object.verb', not {action!r}"
        )
    if community_id is None and actor is not None:
        community_id = getattr(actor, "community_id", None)
    if community_id is None and obj is not None:
        community_id = getattr(obj, "community_id", None)
    chain = str(community_id) if community_id else PLATFORM_CHAIN
    with transaction.atomic():
        _lock_chain(chain)
        last = AuditEntry.objects.filter(chain=chain).order_by("-seq").values("seq", "hash").first()
        seq, prev_hash = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
        entry = AuditEntry(
            chain=chain,
            seq=seq,
            prev_hash=prev_hash,
            created_at=now or timezone.now(),
            community_id=community_id,
            actor_id=getattr(actor, "pk", None) if actor is not None else None,
            actor_label=str(getattr(actor, "handle", "") or "") if actor is not None else "",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            data=data or {},
        )
        entry.hash = link_hash(prev_hash, entry.content())
        entry.save(force_insert=True)
    return entry
