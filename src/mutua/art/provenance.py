"""Each artwork's provenance log: append-only events, hash-chained per artwork.

An event's content is canonical JSON (`core.hashchain`: keys sorted, no insignificant whitespace,
UTF-8; for the strings and integers events hold this is the RFC 8785 form) carrying its kind,
its time and what happened. Its hash covers the previous event's hash and its content, so an
edited, inserted or deleted event breaks the chain from there on; appends to one artwork take
turns on the artwork's row lock, so two writers never both claim the same `seq`.

Amounts are local cents (ints); members are named by handle and display name as they were at the
time, since the log is public and must still read the same if a name changes.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from mutua.art.models import Artwork, EventKind, ProvenanceEvent
from mutua.core.hashchain import GENESIS, ChainLink, ChainProblem, chain_verify, link_hash


def person(member: Any) -> dict[str, str]:
    return {"handle": member.handle, "name": member.display_name}


def event_append(
    *, artwork: Artwork, kind: EventKind, data: dict[str, Any], now: datetime | None = None
) -> ProvenanceEvent:
    """Append one event; call inside the transaction that does what it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("provenance events are appended inside the caller's transaction")
    now = now or timezone.now()
    Artwork.objects.select_for_update().filter(pk=artwork.pk).exists()
    last = ProvenanceEvent.objects.filter(artwork=artwork).order_by("-seq").first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    content = {"kind": str(kind), "at": now.isoformat(), "artwork": str(artwork.pk), **data}
    return ProvenanceEvent.objects.create(
        community_id=artwork.community_id,
        artwork=artwork,
        seq=seq,
        kind=kind,
        content=content,
        prev_hash=prev_hash,
        hash=link_hash(prev_hash, content),
        at=now,
    )


def provenance_problems(artwork: Artwork) -> list[ChainProblem]:
    """Every break in the artwork's chain (empty if it verifies)."""
    events = ProvenanceEvent.objects.filter(artwork=artwork).order_by("seq")
    return chain_verify(ChainLink(e.seq, e.prev_hash, e.hash, e.content) for e in events)
