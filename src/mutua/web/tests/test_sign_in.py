"""Signing in and out, throttling, password reset by email through the background queue."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from mutua.community.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signing_in_lands_on_the_first_role_dashboard(client, town) -> None:
    response = client.post(
        "/accounts/login/", {"username": "coord", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/dashboard/coordinator/"
    assert b"Aid coordinator dashboard" in response.content


def test_a_wrong_password_is_a_clear_400_and_signs_no_one_in(client, town) -> None:
    response = client.post("/accounts/login/", {"username": "coord", "password": "nope"})
    assert response.status_code == 400
    assert b"do not match" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_repeated_failures_lock_the_handle_out_even_with_the_right_password(
    client, town, settings
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "coord", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "coord", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content


def test_signing_out_needs_a_post(client, town) -> None:
    client.force_login(town.member)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_password_reset_mail_goes_through_the_queue(
    client, town, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": town.member.email})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing is sent inside the request: it waits in the queue
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    # The worker recycles database connections between tasks; inside a test transaction it must not.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a brand new secret phrase",
            "new_password2": "a brand new secret phrase",
        },
    )
    assert done.status_code == 302
    town.member.refresh_from_db()
    assert town.member.check_password("a brand new secret phrase")


def test_a_deactivated_account_loses_its_session(client, town) -> None:
    client.force_login(town.member)
    assert client.get("/dashboard/member/").status_code == 200
    town.member.is_active = False
    town.member.save()
    assert client.get("/dashboard/member/").status_code == 302
