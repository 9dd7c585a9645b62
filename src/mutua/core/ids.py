"""Identifiers: time-ordered UUIDs (UUIDv7: 48 bits of milliseconds, then random bits).

They sort by creation time, so new rows land at the end of an index instead of at random places, and
a client can choose one before it sends a request (the ledger uses that as the idempotency key).
"""

import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(int=uuid6.uuid7().int)
