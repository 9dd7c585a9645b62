"""The workshops API as a week at the Learning Commons: members register, the session fills, a
seat frees up and is offered, the educator checks people in and pays the instructor. Each refusal
is checked to change nothing."""

from datetime import timedelta

import pytest

from mutua.community.services import api_token_create
from mutua.learning import services
from mutua.learning.models import Attendance, Payout, Registration
from mutua.learning.tests.conftest import Commons

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, commons: Commons, elsewhere):  # type: ignore[no-untyped-def]
    people = [commons.grace, commons.hugo, commons.ana, commons.ben, commons.cy, elsewhere]
    tokens = {m.handle: api_token_create(member=m, name="t")[1] for m in people}

    def call(who, method, url, body=None):  # type: ignore[no-untyped-def]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1/learning{url}", **kwargs)

    return call


def test_register_full_waitlist_offer_accept(commons: Commons, call) -> None:  # type: ignore[no-untyped-def]
    sid = commons.session.pk
    listed = call("ana", "get", "/sessions").json()
    assert [s["id"] for s in listed] == [str(sid)] and listed[0]["seats_left"] == 2
    ana = call("ana", "post", f"/sessions/{sid}/register", {"seats": 2, "note": "Ana and Leo"})
    assert ana.status_code == 201 and ana.json()["status"] == "registered"
    full = call("ben", "post", f"/sessions/{sid}/register", {})
    assert full.status_code == 422 and full.json()["code"] == "session_full"
    assert not Registration.objects.filter(member=commons.ben).exists()
    ben = call("ben", "post", f"/sessions/{sid}/register", {"waitlist": True})
    assert ben.status_code == 201 and ben.json()["status"] == "waiting"
    assert call("ben", "post", f"/sessions/{sid}/register", {"waitlist": True}).status_code == 409
    bad = call("ben", "post", f"/sessions/{sid}/register", {"seats": 7})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_body"

    cancelled = call("ana", "post", f"/registrations/{ana.json()['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    mine = call("ben", "get", "/registrations/mine").json()
    assert mine[0]["status"] == "offered" and mine[0]["offer_expires_at"]
    # Only Ben can accept Ben's offer.
    assert call("ana", "post", f"/registrations/{mine[0]['id']}/accept").status_code == 404
    accepted = call("ben", "post", f"/registrations/{mine[0]['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "registered"


def test_an_expired_offer_is_410_and_nothing_changes(commons: Commons, call) -> None:  # type: ignore[no-untyped-def]
    past = commons.now - timedelta(hours=8)
    ana = services.registration_create(actor=commons.ana, session=commons.session, now=past)
    services.registration_create(actor=commons.cy, session=commons.session, now=past)
    ben = services.registration_create(
        actor=commons.ben, session=commons.session, waitlist=True, now=past
    )
    services.registration_cancel(actor=commons.ana, registration=ana, now=past)
    late = call("ben", "post", f"/registrations/{ben.pk}/accept")
    assert late.status_code == 410 and late.json()["code"] == "offer_expired"
    ben.refresh_from_db()
    assert ben.status == "offered"
    assert call("ben", "get", f"/sessions/{commons.session.pk}").json()["seats_left"] == 1
    ben.refresh_from_db()
    assert ben.status == "expired"  # reading the session moved the offer on


def test_the_educator_checks_in_and_pays_others_may_not(commons: Commons, call) -> None:  # type: ignore[no-untyped-def]
    sid = commons.session.pk
    ana = services.registration_create(actor=commons.ana, session=commons.session)
    starts = commons.now - timedelta(minutes=5)
    type(commons.session).objects.filter(pk=sid).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    body = {"registration": str(ana.pk)}
    assert call("ana", "get", f"/sessions/{sid}/roster").status_code == 403
    assert call("hugo", "post", f"/sessions/{sid}/attendance", body).status_code == 403
    assert call("otto", "post", f"/sessions/{sid}/attendance", body).status_code == 404
    assert call("hugo", "post", f"/sessions/{sid}/pay-instructor").status_code == 403
    assert not Attendance.objects.exists() and not Payout.objects.exists()

    roster = call("grace", "get", f"/sessions/{sid}/roster").json()
    assert [r["member"] for r in roster["registered"]] == ["ana"]
    checked = call("grace", "post", f"/sessions/{sid}/attendance", body)
    assert checked.status_code == 201 and checked.json()["credit"]["amount"] == 200
    assert call("grace", "post", f"/sessions/{sid}/attendance", body).status_code == 409
    paid = call("grace", "post", f"/sessions/{sid}/pay-instructor")
    again = call("grace", "post", f"/sessions/{sid}/pay-instructor")
    assert paid.status_code == again.status_code == 200
    assert paid.json()["transfer_id"] == again.json()["transfer_id"]
    assert Payout.objects.filter(kind="instructor").count() == 1


def test_programs_and_sessions_are_the_educators_and_fenced(commons: Commons, call) -> None:  # type: ignore[no-untyped-def]
    program = {"school": "commons", "kind": "health", "title": "First aid at home"}
    assert call("ana", "post", "/programs", program).status_code == 403
    assert call("hugo", "post", "/programs", program).status_code == 403
    assert call("grace", "post", "/programs", {**program, "school": "nope"}).status_code == 404
    made = call("grace", "post", "/programs", program)
    assert made.status_code == 201 and made.json()["school"] == "commons"
    starts = commons.now + timedelta(days=5)
    plan = {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "place": "Clinic",
        "capacity": 0,
        "instructor": str(commons.ines.pk),
    }
    url = f"/programs/{made.json()['id']}/sessions"
    refused = call("grace", "post", url, plan)
    assert refused.status_code == 400 and "capacity" in refused.json()["fields"]
    created = call("grace", "post", url, {**plan, "capacity": 8})
    assert created.status_code == 201 and created.json()["seats_left"] == 8
    assert call("otto", "get", f"/sessions/{created.json()['id']}").status_code == 404
    assert call("otto", "get", "/programs").json() == []
