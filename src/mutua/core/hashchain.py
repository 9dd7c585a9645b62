"""Hash chains: each record's hash covers its own content and the hash of the record before it.

Pure functions, no Django: the audit log uses them now, the ledger and the provenance log later.
Content is serialised as canonical JSON (keys sorted, no insignificant whitespace, UTF-8), so the
same content always hashes the same on SQLite and PostgreSQL and in an outside verifier.

Editing a record changes its hash; inserting or deleting one breaks the link of the next. Cutting
records off the end is only detectable against a head published earlier, which is why heads are
published (the transparency page, later).
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

GENESIS = "0" * 64


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(content: Mapping[str, Any]) -> str:
    return _CANONICAL.encode(content)


def link_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(content).encode("utf-8"))
    return digest.hexdigest()


class ChainLink(NamedTuple):
    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


class ChainProblem(NamedTuple):
    seq: int
    problem: str


def chain_verify(links: Iterable[ChainLink]) -> list[ChainProblem]:
    """Every problem in one chain, given its links in `seq` order (1, 2, 3, ...)."""
    problems: list[ChainProblem] = []
    expected_seq, expected_prev = 1, GENESIS
    for link in links:
        if link.seq != expected_seq:
            problems.append(ChainProblem(link.seq, f"sequence gap: expected {expected_seq}"))
        if link.prev_hash != expected_prev:
            problems.append(ChainProblem(link.seq, "does not link to the entry before it"))
        if link_hash(link.prev_hash, link.content) != link.hash:
            problems.append(ChainProblem(link.seq, "content does not match its hash"))
        expected_seq, expected_prev = link.seq + 1, link.hash
    return problems
