"""Reads of the core app: the audit log and its verification."""

from uuid import UUID

from django.db.models import QuerySet

from mutua.core.hashchain import ChainLink, ChainProblem, chain_verify
from mutua.core.models import AuditEntry


def audit_list(*, community_id: UUID | None, limit: int = 200) -> QuerySet[AuditEntry]:
    """The newest entries of one community's chain (the platform's when `community_id` is None)."""
    entries = AuditEntry.objects.filter(community_id=community_id)  # None: IS NULL
    return entries.order_by("-created_at", "-seq")[:limit]


def audit_verify(*, community_id: UUID | None = None) -> dict[str, list[ChainProblem]]:
    """Every problem in every chain (or one community's), keyed by chain. Empty means intact."""
    entries = AuditEntry.objects.order_by("chain", "seq")
    if community_id is not None:
        entries = entries.filter(chain=str(community_id))
    problems: dict[str, list[ChainProblem]] = {}
    chains: dict[str, list[ChainLink]] = {}
    for entry in entries.iterator(chunk_size=2000):
        chains.setdefault(entry.chain, []).append(
            ChainLink(entry.seq, entry.prev_hash, entry.hash, entry.content())
        )
    for chain, links in chains.items():
        found = chain_verify(links)
        if found:
            problems[chain] = found
    return problems
