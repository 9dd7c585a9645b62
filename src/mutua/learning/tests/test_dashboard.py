"""The educator's dashboard: the school's coming sessions with the seats taken, and attendance at
the last ones, with a chart; nothing of another school."""

from django.test import Client

from mutua.learning.tests.conftest import Commons


def test_an_educator_sees_coming_sessions_with_seats_taken(
    client: Client, commons: Commons
) -> None:
    past = commons.new_session(hours=-3)  # ended an hour ago, nobody checked in yet
    client.force_login(commons.grace)
    page = client.get("/dashboard/educator/").content.decode()
    assert commons.cooking.title in page
    assert f"of {commons.session.capacity} seats taken" in page
    assert "People present at the last sessions" in page
    assert f"{past.starts_at:%a %m-%d}" in page
    client.force_login(commons.hugo)  # the other school's educator
    assert (
        f"/learning/sessions/{commons.session.pk}/"
        not in client.get("/dashboard/educator/").content.decode()
    )
