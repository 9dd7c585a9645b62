"""Worked examples of registering, the waitlist and its time-limited offers, told as stories."""

from datetime import timedelta

import pytest
from django.core import mail

from mutua.core.errors import Conflict, Gone, MutuaError, NotFound, Refused
from mutua.learning import services
from mutua.learning.models import Registration, RegistrationStatus
from mutua.learning.tests.conftest import Commons

S = RegistrationStatus


def status(registration: Registration) -> str:
    registration.refresh_from_db()
    return registration.status


def test_register_fill_wait_cancel_offer_accept(
    commons: Commons, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    session, now = commons.session, commons.now
    ana = services.registration_create(actor=commons.ana, session=session, now=now)
    ben = services.registration_create(actor=commons.ben, session=session, now=now)
    assert (ana.status, ben.status) == (S.REGISTERED, S.REGISTERED)
    assert services.seats_held(session) == 2

    # Full: Cy is refused unless she joins the waitlist, and nothing is written when refused.
    with pytest.raises(Refused) as refused:
        services.registration_create(actor=commons.cy, session=session, now=now)
    assert refused.value.code == "session_full"
    assert not Registration.objects.filter(member=commons.cy).exists()
    cy = services.registration_create(actor=commons.cy, session=session, waitlist=True, now=now)
    dee = services.registration_create(actor=commons.dee, session=session, waitlist=True, now=now)
    assert (cy.status, dee.status) == (S.WAITING, S.WAITING)

    # Ben cancels: his seat is offered to Cy, first in line, for the session's six hours.
    later = now + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.registration_cancel(actor=commons.ben, registration=ben, now=later)
    assert status(ben) == S.CANCELLED
    assert status(cy) == S.OFFERED and status(dee) == S.WAITING
    assert cy.offer_expires_at == later + timedelta(hours=6)
    assert len(callbacks) == 1  # the mail that tells Cy, sent through the queue on commit

    # Cy accepts in time: she is registered, and the session is exactly full again.
    services.offer_accept(actor=commons.cy, registration=cy, now=later + timedelta(hours=5))
    assert status(cy) == S.REGISTERED
    assert services.seats_held(session) == session.capacity == 2
    assert status(dee) == S.WAITING


def test_an_expired_offer_moves_on_to_the_next_entry_and_cannot_be_accepted(
    commons: Commons,
) -> None:
    session, now = commons.session, commons.now
    ana = services.registration_create(actor=commons.ana, session=session, now=now)
    services.registration_create(actor=commons.ben, session=session, now=now)
    cy = services.registration_create(actor=commons.cy, session=session, waitlist=True, now=now)
    dee = services.registration_create(actor=commons.dee, session=session, waitlist=True, now=now)
    services.registration_cancel(actor=commons.ana, registration=ana, now=now)
    assert status(cy) == S.OFFERED

    too_late = now + timedelta(hours=7)
    with pytest.raises(Gone) as gone:
        services.offer_accept(actor=commons.cy, registration=cy, now=too_late)
    assert gone.value.code == "offer_expired"
    assert "expired" in gone.value.message
    assert status(cy) == S.OFFERED  # refused: nothing changed, not even the expiry

    # The command (or any touch of the session) expires it and offers the seat to Dee.
    assert services.offers_expire(now=too_late) == (1, 1)
    assert status(cy) == S.EXPIRED and status(dee) == S.OFFERED
    assert services.offers_expire(now=too_late) == (0, 0)


def test_touching_a_session_expires_its_offers_lazily(commons: Commons) -> None:
    session, now = commons.session, commons.now
    ana = services.registration_create(actor=commons.ana, session=session, now=now)
    services.registration_create(actor=commons.ben, session=session, now=now)
    cy = services.registration_create(actor=commons.cy, session=session, waitlist=True, now=now)
    services.registration_cancel(actor=commons.ana, registration=ana, now=now)
    # Dee registers after Cy's offer expired: the expired seat goes to the waitlist first, and Dee,
    # with nobody left waiting, takes it.
    dee = services.registration_create(
        actor=commons.dee, session=session, now=now + timedelta(hours=7)
    )
    assert status(cy) == S.EXPIRED
    assert dee.status == S.REGISTERED


def test_an_offer_never_outlasts_the_session_start(commons: Commons) -> None:
    session = commons.new_session(hours=3)  # starts in three hours; offers last six
    now = commons.now
    ana = services.registration_create(actor=commons.ana, session=session, now=now)
    services.registration_create(actor=commons.ben, session=session, now=now)
    cy = services.registration_create(actor=commons.cy, session=session, waitlist=True, now=now)
    services.registration_cancel(actor=commons.ana, registration=ana, now=now)
    cy.refresh_from_db()
    assert cy.offer_expires_at == session.starts_at


def test_a_parent_and_child_take_two_seats_or_wait_as_one_entry(commons: Commons) -> None:
    session = commons.new_session(capacity=3)
    now = commons.now
    family = services.registration_create(
        actor=commons.ana, session=session, seats=2, note="Ana and Leo (8)", now=now
    )
    assert family.status == S.REGISTERED and services.seats_held(session) == 2
    other = services.registration_create(
        actor=commons.ben, session=session, seats=2, waitlist=True, now=now
    )
    assert other.status == S.WAITING  # one seat is free, the pair waits together
    single = services.registration_create(actor=commons.cy, session=session, now=now)
    assert single.status == S.REGISTERED  # the free seat fits a single person
    services.registration_cancel(actor=commons.ana, registration=family, now=now)
    assert status(other) == S.OFFERED  # two seats freed at once: the pair is offered both


def test_a_group_that_does_not_fit_is_passed_over_but_keeps_its_place(commons: Commons) -> None:
    session = commons.new_session(capacity=3)
    now = commons.now
    ana = services.registration_create(actor=commons.ana, session=session, now=now)
    services.registration_create(actor=commons.ben, session=session, seats=2, now=now)
    trio = services.registration_create(
        actor=commons.cy, session=session, seats=3, waitlist=True, now=now
    )
    solo = services.registration_create(actor=commons.dee, session=session, waitlist=True, now=now)
    services.registration_cancel(actor=commons.ana, registration=ana, now=now)
    assert status(trio) == S.WAITING and status(solo) == S.OFFERED


def test_registering_twice_is_a_conflict(commons: Commons) -> None:
    services.registration_create(actor=commons.ana, session=commons.session, now=commons.now)
    with pytest.raises(Conflict):
        services.registration_create(
            actor=commons.ana, session=commons.session, waitlist=True, now=commons.now
        )


def test_bad_group_sizes_are_refused(commons: Commons) -> None:
    with pytest.raises(MutuaError) as error:
        services.registration_create(
            actor=commons.ana, session=commons.session, seats=0, now=commons.now
        )
    assert "seats" in error.value.fields
    with pytest.raises(Refused):
        services.registration_create(
            actor=commons.ana, session=commons.session, seats=3, waitlist=True, now=commons.now
        )
    assert not Registration.objects.exists()


def test_a_started_session_takes_no_registrations(commons: Commons) -> None:
    with pytest.raises(Refused) as refused:
        services.registration_create(
            actor=commons.ana, session=commons.session, now=commons.session.starts_at
        )
    assert refused.value.code == "session_started"


def test_only_the_member_accepts_or_cancels_their_place(commons: Commons) -> None:
    ana = services.registration_create(actor=commons.ana, session=commons.session, now=commons.now)
    with pytest.raises(NotFound):
        services.registration_cancel(actor=commons.ben, registration=ana, now=commons.now)
    with pytest.raises(NotFound):
        services.registration_cancel(actor=commons.hugo, registration=ana, now=commons.now)
    # The school's own educator may cancel for the member (a phone call).
    services.registration_cancel(actor=commons.grace, registration=ana, now=commons.now)
    assert status(ana) == S.CANCELLED


def test_a_declined_offer_goes_to_the_next_person(commons: Commons) -> None:
    session, now = commons.session, commons.now
    ana = services.registration_create(actor=commons.ana, session=session, now=now)
    services.registration_create(actor=commons.ben, session=session, now=now)
    cy = services.registration_create(actor=commons.cy, session=session, waitlist=True, now=now)
    dee = services.registration_create(actor=commons.dee, session=session, waitlist=True, now=now)
    services.registration_cancel(actor=commons.ana, registration=ana, now=now)
    services.offer_decline(actor=commons.cy, registration=cy, now=now)
    assert status(cy) == S.DECLINED and status(dee) == S.OFFERED


def test_reminders_are_sent_once_to_registrants_of_sessions_starting_soon(commons: Commons) -> None:
    now = commons.now
    services.registration_create(actor=commons.ana, session=commons.session, now=now)
    later = commons.new_session(hours=72)
    services.registration_create(actor=commons.ben, session=later, now=now)
    assert services.reminders_send(hours=48, now=now) == 1
    assert [m.to for m in mail.outbox] == [[commons.ana.email]]
    assert "Cooking on a budget" in mail.outbox[0].subject
    assert "Commons kitchen" in mail.outbox[0].body
    assert services.reminders_send(hours=48, now=now) == 0
    assert len(mail.outbox) == 1


def test_the_commands_expire_offers_and_remind_once(commons: Commons) -> None:
    from io import StringIO

    from django.core.management import call_command

    session, past = commons.session, commons.now - timedelta(hours=8)
    ana = services.registration_create(actor=commons.ana, session=session, now=past)
    services.registration_create(actor=commons.ben, session=session, now=past)
    cy = services.registration_create(actor=commons.cy, session=session, waitlist=True, now=past)
    dee = services.registration_create(actor=commons.dee, session=session, waitlist=True, now=past)
    services.registration_cancel(actor=commons.ana, registration=ana, now=past)
    out = StringIO()
    call_command("learning", "offers-expire", stdout=out)
    assert out.getvalue().strip() == "1 offer(s) expired, 1 seat(s) offered on."
    assert status(cy) == S.EXPIRED and status(dee) == S.OFFERED
    out = StringIO()
    call_command("learning", "remind", "--hours", "30", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) sent."  # Ben: the one registered
    call_command("learning", "remind", "--hours", "30", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [[commons.ben.email]]
