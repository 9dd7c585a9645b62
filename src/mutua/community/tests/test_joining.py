"""Joining by invitation link, or by a request a coordinator approves. Bad input changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mutua.community import services
from mutua.community.models import Invitation, JoinRequest, Member
from mutua.community.permissions import member_roles
from mutua.community.roles import Role
from mutua.core.errors import Conflict, Forbidden, Gone
from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db

SIGNUP = {
    "display_name": "Rosa Díaz",
    "handle": "rosa",
    "email": "rosa@example.org",
    "password": "plant tomatoes in may",
    "password_again": "plant tomatoes in may",
    "preferred_language": "es",
}


def invite(town, *, by=None, **kwargs):
    with community_scope(town.community.id):
        return services.invitation_create(actor=by or town.coordinator, **kwargs)


def test_an_invited_person_joins_with_the_role_of_the_invitation(client, town) -> None:
    _inv, secret = invite(town, by=town.admin, role=Role.VOLUNTEER, organization=town.aid_group)
    page = client.get(f"/join/{secret}/")
    assert page.status_code == 200 and b"Riverbend" in page.content
    response = client.post(f"/join/{secret}/", SIGNUP)
    assert response.status_code == 302
    rosa = Member.objects.get(handle="rosa")
    assert rosa.community == town.community and rosa.is_active and rosa.preferred_language == "es"
    with community_scope(town.community.id):
        assert member_roles(rosa, town.aid_group.id) == {Role.MEMBER, Role.VOLUNTEER}


def test_an_invitation_works_once(client, town) -> None:
    _inv, secret = invite(town)
    client.post(f"/join/{secret}/", SIGNUP)
    again = client.post(f"/join/{secret}/", {**SIGNUP, "handle": "rosa2"})
    assert again.status_code == 409 and b"already been used" in again.content
    assert not Member.objects.filter(handle="rosa2").exists()


def test_an_expired_invitation_is_refused_and_changes_nothing(client, town) -> None:
    long_ago = timezone.now() - timedelta(days=30)
    _inv, secret = invite(town, now=long_ago)
    before = Member.objects.count()
    response = client.post(f"/join/{secret}/", SIGNUP)
    assert response.status_code == 410 and b"expired" in response.content
    assert Member.objects.count() == before
    with pytest.raises(Gone):
        services.invitation_accept(
            secret=secret, handle="x-y-z", display_name="X", password="long enough pass"
        )


def test_an_unknown_invitation_link_is_404(client, town) -> None:
    assert client.get("/join/not-a-real-secret/").status_code == 404


def test_a_taken_handle_is_a_clear_error_and_changes_nothing(client, town) -> None:
    _inv, secret = invite(town)
    response = client.post(f"/join/{secret}/", {**SIGNUP, "handle": "ANA"})
    assert response.status_code == 400 and b"already taken" in response.content
    with community_scope(town.community.id):
        assert Invitation.objects.get().accepted_at is None
    with pytest.raises(Conflict) as caught:
        services.invitation_accept(
            secret=secret, handle="ana", display_name="A", password="long enough pass"
        )
    assert caught.value.code == "handle_taken"


def test_a_coordinator_invites_members_but_not_other_roles(town) -> None:
    invite(town, role=Role.MEMBER)
    with pytest.raises(Forbidden):
        invite(town, role=Role.ADMIN)
    with pytest.raises(Forbidden):
        invite(town, by=town.volunteer)


def test_a_join_request_waits_for_approval(client, town) -> None:
    response = client.post("/c/riverbend/join/", {**SIGNUP, "message": "I live on Elm Street"})
    assert response.status_code == 200 and b"was sent" in response.content
    rosa = Member.objects.get(handle="rosa")
    assert rosa.is_active is False
    login = client.post("/accounts/login/", {"username": "rosa", "password": SIGNUP["password"]})
    assert login.status_code == 400 and b"waiting for approval" in login.content
    wrong = client.post("/accounts/login/", {"username": "rosa", "password": "not it at all"})
    assert b"waiting for approval" not in wrong.content
    client.force_login(town.coordinator)
    with community_scope(town.community.id):
        request = JoinRequest.objects.get(member=rosa)
    assert b"I live on Elm Street" in client.get("/community/join-requests/").content
    decided = client.post(f"/community/join-requests/{request.id}/decide/", {"decision": "approve"})
    assert decided.status_code == 302
    rosa.refresh_from_db()
    assert rosa.is_active is True
    with community_scope(town.community.id), pytest.raises(Conflict):
        services.join_request_decide(actor=town.coordinator, join_request=request, approve=False)


def test_a_member_cannot_decide_join_requests(client, town) -> None:
    client.post("/c/riverbend/join/", SIGNUP)
    with community_scope(town.community.id):
        request = JoinRequest.objects.get()
    client.force_login(town.neighbour)
    assert (
        client.post(
            f"/community/join-requests/{request.id}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )
    assert Member.objects.get(handle="rosa").is_active is False


def test_a_join_request_with_bad_details_shows_every_problem(client, town) -> None:
    response = client.post(
        "/c/riverbend/join/",
        {
            **SIGNUP,
            "handle": "No Spaces!",
            "password": "123",
            "password_again": "123",
            "display_name": " ",
        },
    )
    assert response.status_code == 400
    assert b"lowercase letters" in response.content
    assert not Member.objects.filter(display_name__startswith="Rosa").exists()


def test_a_withdrawn_invitation_stops_working(client, town) -> None:
    invitation, secret = invite(town)
    client.force_login(town.coordinator)
    page = client.get("/community/invitations/")
    assert b"Withdraw" in page.content
    assert client.post(f"/community/invitations/{invitation.id}/revoke/").status_code == 302
    client.logout()
    response = client.post(f"/join/{secret}/", SIGNUP)
    assert response.status_code == 410 and b"withdrawn" in response.content
    assert not Member.objects.filter(handle="rosa").exists()


def test_invitations_are_listed_and_withdrawn_through_the_api(client, town) -> None:
    invitation, _secret = invite(town)
    with community_scope(town.community.id):
        raw = services.api_token_create(member=town.coordinator, name="c")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert [i["status"] for i in client.get("/api/v1/invitations", **auth).json()] == ["open"]
    assert client.delete(f"/api/v1/invitations/{invitation.id}", **auth).status_code == 204
    assert [i["status"] for i in client.get("/api/v1/invitations", **auth).json()] == ["withdrawn"]


def test_a_used_invitation_cannot_be_withdrawn(client, town) -> None:
    invitation, secret = invite(town)
    client.post(f"/join/{secret}/", SIGNUP)
    with community_scope(town.community.id), pytest.raises(Conflict):
        services.invitation_revoke(actor=town.coordinator, invitation=invitation)
