"""The audit log: chains per community, the database refuses edits, verify finds tampering."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from mutua.community.tests.factories import CommunityFactory
from mutua.core.models import PLATFORM_CHAIN, AuditEntry
from mutua.core.selectors import audit_verify
from mutua.core.services import audit_record

pytestmark = pytest.mark.django_db


def test_entries_chain_in_order_per_community() -> None:
    town, city = CommunityFactory(), CommunityFactory()
    first = audit_record(action="test.thing.done", community_id=town.id)
    second = audit_record(action="test.thing.done", community_id=town.id)
    elsewhere = audit_record(action="test.thing.done", community_id=city.id)
    platform = audit_record(action="test.platform.started")
    assert (first.seq, second.seq, elsewhere.seq) == (1, 2, 1)
    assert second.prev_hash == first.hash
    assert platform.chain == PLATFORM_CHAIN
    assert audit_verify() == {}


def test_action_must_be_a_dotted_code() -> None:
    with pytest.raises(ValueError, match="dotted code"):
        audit_record(action="Deleted everything")
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditentry SET action = 'test.thing.hidden'",
        "DELETE FROM core_auditentry",
    ],
)
def test_database_refuses_to_change_history(statement: str) -> None:
    audit_record(action="test.thing.done")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEntry.objects.filter(action="test.thing.done").count() == 1


def _tamper(sql: str) -> None:
    """What someone with full database access could do: switch the guard off and edit a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")
        else:
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
        cursor.execute(sql)


def test_verify_finds_an_edited_entry() -> None:
    community = CommunityFactory()
    for _ in range(3):
        audit_record(action="test.thing.done", community_id=community.id)
    _tamper("UPDATE core_auditentry SET actor_label = 'someone-else' WHERE seq = 2")
    problems = audit_verify()
    assert [p.seq for p in problems[str(community.id)]] == [2]


def test_verify_finds_a_deleted_entry_and_the_command_fails() -> None:
    for _ in range(3):
        audit_record(action="test.thing.done")
    _tamper("DELETE FROM core_auditentry WHERE seq = 2")
    err = StringIO()
    with pytest.raises(CommandError, match="damaged"):
        call_command("audit", "verify", stderr=err)
    assert "entry 3" in err.getvalue()


def test_verify_command_reports_an_intact_log() -> None:
    audit_record(action="test.thing.done")
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact: 1 entries" in out.getvalue()
