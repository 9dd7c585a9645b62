"""The workshop pages through Django's test client: who may open what, forms that refuse bad
input (400, nothing changes), the fence between communities (404), the calendar and the feeds."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from mutua.learning import services
from mutua.learning.models import Attendance, CalendarFeed, Payout, Program, Registration
from mutua.learning.tests.conftest import Commons

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client):  # type: ignore[no-untyped-def]
    def sign_in(member):  # type: ignore[no-untyped-def]
        client.force_login(member)
        return client

    return sign_in


def s(commons: Commons, part: str = "") -> str:
    return f"/learning/sessions/{commons.session.pk}/{part}"


def fill(commons: Commons) -> None:
    for member in (commons.ana, commons.ben):
        services.registration_create(actor=member, session=commons.session)


def test_every_member_sees_programs_sessions_and_the_calendar(commons: Commons, as_) -> None:  # type: ignore[no-untyped-def]
    client = as_(commons.ana)
    listing = client.get("/learning/")
    body = listing.content.decode()
    assert listing.status_code == 200 and "Cooking on a budget" in body
    assert "Add the program" not in body  # programs are the educators'
    assert client.get(f"/learning/programs/{commons.cooking.pk}/").status_code == 200
    page = client.get(s(commons))
    assert page.status_code == 200 and "Commons kitchen" in page.content.decode()
    month = commons.session.starts_at.strftime("%Y-%m")
    calendar = client.get(f"/learning/calendar/?month={month}")
    assert calendar.status_code == 200
    assert 'data-testid="calendar-session"' in calendar.content.decode()
    assert client.get("/learning/calendar/?month=someday").status_code == 400


def test_a_member_registers_with_a_child_and_cancels(commons: Commons, as_) -> None:  # type: ignore[no-untyped-def]
    client = as_(commons.ana)
    form = {"action": "register", "register-seats": "2", "register-note": "Ana and Leo (8)"}
    assert client.post(s(commons), form).status_code == 302
    mine = Registration.objects.get(member=commons.ana)
    assert (mine.status, mine.seats) == ("registered", 2)
    page = client.get("/learning/mine/")
    assert page.status_code == 200 and 'data-testid="my-workshop"' in page.content.decode()
    assert (
        client.post("/learning/mine/", {"action": "cancel", "cancel-id": mine.pk}).status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.status == "cancelled"


def test_registering_for_a_full_session_without_the_waitlist_is_a_clear_400(
    commons: Commons, as_
) -> None:  # type: ignore[no-untyped-def]
    fill(commons)
    client = as_(commons.cy)
    refused = client.post(s(commons), {"action": "register", "register-seats": "1"})
    assert refused.status_code == 400
    assert "This session is full. Join the waitlist" in refused.content.decode()
    assert not Registration.objects.filter(member=commons.cy).exists()
    waiting = {"action": "register", "register-seats": "1", "register-waitlist": "on"}
    assert client.post(s(commons), waiting).status_code == 302
    assert Registration.objects.get(member=commons.cy).status == "waiting"


def test_accepting_an_expired_offer_is_refused_and_changes_nothing(commons: Commons, as_) -> None:  # type: ignore[no-untyped-def]
    past = commons.now - timedelta(hours=8)  # offers last six hours: Cy's ended two hours ago
    ana = services.registration_create(actor=commons.ana, session=commons.session, now=past)
    services.registration_create(actor=commons.ben, session=commons.session, now=past)
    cy = services.registration_create(
        actor=commons.cy, session=commons.session, waitlist=True, now=past
    )
    services.registration_cancel(actor=commons.ana, registration=ana, now=past)
    client = as_(commons.cy)
    refused = client.post("/learning/mine/", {"action": "accept", "accept-id": cy.pk})
    assert refused.status_code == 400
    assert "This offer expired at" in refused.content.decode()
    cy.refresh_from_db()
    assert cy.status == "offered"  # rolled back: the next page view moves the offer on
    assert client.get(s(commons)).status_code == 200
    cy.refresh_from_db()
    assert cy.status == "expired"


def test_the_educator_checks_in_and_pays_the_instructor(commons: Commons, as_, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fill(commons)
    ana = Registration.objects.get(member=commons.ana)
    # The session is tomorrow: move it to now, through the database, so check-in is open.
    starts = commons.now - timedelta(minutes=10)
    type(commons.session).objects.filter(pk=commons.session.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    client = as_(commons.grace)
    sheet = client.get(s(commons, "attendance/"))
    assert (
        sheet.status_code == 200 and sheet.content.decode().count('data-testid="roster-row"') == 2
    )
    assert (
        client.post(
            s(commons, "attendance/"), {"action": "check_in", "check_in-id": ana.pk}
        ).status_code
        == 302
    )
    assert Attendance.objects.filter(registration=ana).exists()
    assert Payout.objects.filter(kind="attendance", member=commons.ana).exists()
    type(commons.session).objects.filter(pk=commons.session.pk).update(
        starts_at=starts - timedelta(hours=3), ends_at=starts - timedelta(hours=1)
    )
    past = as_(commons.ana).get("/learning/mine/").content.decode()
    assert 'data-testid="past-status">Attended<' in past
    client = as_(commons.grace)
    assert client.post(s(commons, "attendance/"), {"action": "pay"}).status_code == 302
    assert client.post(s(commons, "attendance/"), {"action": "pay"}).status_code == 302
    assert Payout.objects.filter(kind="instructor").count() == 1


def test_the_attendance_sheet_is_for_the_schools_educators(
    commons: Commons, as_, elsewhere
) -> None:  # type: ignore[no-untyped-def]
    assert as_(commons.ana).get(s(commons, "attendance/")).status_code == 403
    assert as_(commons.hugo).get(s(commons, "attendance/")).status_code == 403
    assert as_(elsewhere).get(s(commons, "attendance/")).status_code == 404
    assert as_(elsewhere).get(s(commons)).status_code == 404
    assert as_(elsewhere).get(f"/learning/programs/{commons.cooking.pk}/").status_code == 404


def test_an_educator_adds_a_program_and_plans_a_session(commons: Commons, as_) -> None:  # type: ignore[no-untyped-def]
    client = as_(commons.grace)
    made = client.post(
        "/learning/",
        {
            "action": "program",
            "program-school": commons.school.pk,
            "program-kind": "nutrition",
            "program-title": "Eating well for less",
            "program-attendance_credit": "1.50",
        },
    )
    assert made.status_code == 302
    program = Program.objects.get(title="Eating well for less")
    assert program.attendance_credit == 150
    starts = (commons.now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    ends = (commons.now + timedelta(days=3, hours=2)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "action": "session",
        "session-starts_at": starts,
        "session-ends_at": ends,
        "session-place": "Library, room 2",
        "session-capacity": "0",
        "session-instructor": commons.ines.pk,
        "session-language": "Spanish",
        "session-offer_hours": "24",
    }
    url = f"/learning/programs/{program.pk}/"
    assert client.post(url, form).status_code == 400  # no seats: refused, nothing saved
    assert not program.sessions.exists()
    assert client.post(url, {**form, "session-capacity": "10"}).status_code == 302
    assert program.sessions.get().language == "Spanish"
    # A member cannot plan sessions; another school's educator cannot either.
    assert as_(commons.ana).post(url, {**form, "session-capacity": "10"}).status_code == 403
    assert program.sessions.count() == 1


def test_the_calendar_feeds_parse_and_need_their_secret(commons: Commons, as_, client) -> None:  # type: ignore[no-untyped-def]
    services.registration_create(actor=commons.ana, session=commons.session, seats=2)
    as_(commons.ana).get("/learning/mine/")
    feed = CalendarFeed.objects.get(member=commons.ana)
    client.logout()
    mine = client.get(f"/learning/feed/{feed.token}/mine.ics")
    assert mine.status_code == 200 and mine["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(mine.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Cooking on a budget"]
    assert str(events[0]["UID"]) == f"{commons.session.pk}@mutua"
    assert events[0].decoded("DTSTART") == commons.session.starts_at.replace(microsecond=0)
    assert str(events[0]["LOCATION"]) == "Commons kitchen, 4 Mill St"
    community = client.get(f"/learning/feed/{feed.token}/community.ics")
    assert len(Calendar.from_ical(community.content).walk("VEVENT")) == 1
    assert client.get("/learning/feed/not-a-token/mine.ics").status_code == 404
    old = feed.token
    services.calendar_feed_reset(actor=commons.ana)
    assert client.get(f"/learning/feed/{old}/mine.ics").status_code == 404
