"""The database refuses bad workshop writes itself, even from code that goes around the ORM."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mutua.core.ids import new_id
from mutua.learning import services
from mutua.learning.models import Registration
from mutua.learning.tests.conftest import Commons

pytestmark = pytest.mark.django_db


def _v(value: Any) -> Any:
    """A UUID as this database's driver wants it in raw SQL."""
    if hasattr(value, "hex") and connection.vendor == "sqlite":
        return value.hex
    return value


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [_v(p) for p in params])


def refused(sql: str, params: list[Any]) -> None:
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        raw(sql, params)


def raw_registration(commons: Commons, member: Any, *, seats: int = 1, status: str = "registered"):  # type: ignore[no-untyped-def]
    raw(
        "INSERT INTO learning_registration (id, community_id, session_id, member_id, seats, note,"
        " status, created_at) VALUES (%s, %s, %s, %s, %s, '', %s, CURRENT_TIMESTAMP)",
        [new_id(), commons.community.id, commons.session.id, member.id, seats, status],
    )


def test_a_session_without_seats_is_refused(commons: Commons) -> None:
    for capacity in (0, -1):
        refused(
            "UPDATE learning_session SET capacity = %s WHERE id = %s",
            [capacity, commons.session.id],
        )
    commons.session.refresh_from_db()
    assert commons.session.capacity == 2


def test_a_session_ending_before_it_starts_is_refused(commons: Commons) -> None:
    refused("UPDATE learning_session SET ends_at = starts_at WHERE id = %s", [commons.session.id])


def test_registering_twice_is_refused(commons: Commons) -> None:
    raw_registration(commons, commons.ana)
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_registration(commons, commons.ana, status="waiting")
    assert Registration.objects.filter(member=commons.ana).count() == 1


def test_a_cancelled_registration_leaves_room_to_register_again(commons: Commons) -> None:
    raw_registration(commons, commons.ana, status="cancelled")
    raw_registration(commons, commons.ana)
    assert Registration.objects.filter(member=commons.ana).count() == 2


def test_holding_more_seats_than_the_session_has_is_refused(commons: Commons) -> None:
    raw_registration(commons, commons.ana)
    refused(
        "INSERT INTO learning_registration (id, community_id, session_id, member_id, seats, note,"
        " status, created_at) VALUES (%s, %s, %s, %s, 2, '', 'registered', CURRENT_TIMESTAMP)",
        [new_id(), commons.community.id, commons.session.id, commons.ben.id],
    )
    raw_registration(commons, commons.ben, seats=2, status="waiting")  # waiting holds no seat
    refused(
        "UPDATE learning_registration SET status = 'offered', offer_expires_at = CURRENT_TIMESTAMP"
        " WHERE member_id = %s",
        [commons.ben.id],
    )
    refused("UPDATE learning_session SET capacity = 0 WHERE id = %s", [commons.session.id])
    raw_registration(commons, commons.cy)  # exactly full is fine
    refused("UPDATE learning_session SET capacity = 1 WHERE id = %s", [commons.session.id])


def test_an_offer_has_an_expiry_and_a_waiting_entry_has_none(commons: Commons) -> None:
    refused(
        "INSERT INTO learning_registration (id, community_id, session_id, member_id, seats, note,"
        " status, created_at) VALUES (%s, %s, %s, %s, 1, '', 'offered', CURRENT_TIMESTAMP)",
        [new_id(), commons.community.id, commons.session.id, commons.ana.id],
    )
    refused(
        "INSERT INTO learning_registration (id, community_id, session_id, member_id, seats, note,"
        " status, created_at, offer_expires_at)"
        " VALUES (%s, %s, %s, %s, 1, '', 'waiting', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        [new_id(), commons.community.id, commons.session.id, commons.ana.id],
    )


def test_group_sizes_are_bounded(commons: Commons) -> None:
    for seats in (0, 7):
        with pytest.raises(IntegrityError), transaction.atomic():
            raw_registration(commons, commons.ana, seats=seats, status="waiting")


def test_attendance_and_payouts_are_append_only(commons: Commons) -> None:
    session = commons.session
    ana = services.registration_create(actor=commons.ana, session=session, now=commons.now)
    checked = services.attendance_check_in(
        actor=commons.grace, registration=ana, now=session.starts_at + timedelta(minutes=1)
    )
    assert checked.credit is not None
    for table, row in (
        ("learning_attendance", checked.attendance.id),
        ("learning_payout", checked.credit.id),
    ):
        refused(f"UPDATE {table} SET community_id = community_id WHERE id = %s", [row])  # noqa: S608
        refused(f"DELETE FROM {table} WHERE id = %s", [row])  # noqa: S608
    services.reminders_send(hours=48, now=commons.now)
    refused("DELETE FROM learning_reminder", [])


def test_a_payout_is_made_once_per_session_member_and_kind(commons: Commons) -> None:
    payout = services.instructor_pay(
        actor=commons.grace, session=commons.session, now=commons.session.ends_at
    )
    refused(
        "INSERT INTO learning_payout (id, community_id, session_id, member_id, kind, amount,"
        " transfer_id, paid_by_id, created_at)"
        " VALUES (%s, %s, %s, %s, 'instructor', 10, %s, %s, CURRENT_TIMESTAMP)",
        [
            new_id(),
            commons.community.id,
            commons.session.id,
            commons.ines.id,
            new_id(),
            commons.grace.id,
        ],
    )
    assert payout.amount > 0
