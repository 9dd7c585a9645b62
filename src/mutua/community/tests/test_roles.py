"""Admins give and take roles; everyone stays a member and a community always keeps an admin."""

import pytest

from mutua.community import services
from mutua.community.models import Membership
from mutua.community.permissions import forget_roles, member_roles
from mutua.community.roles import Role
from mutua.core.errors import Conflict, Forbidden, MutuaError
from mutua.core.models import AuditEntry
from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db


def roles_of(town, member) -> set[Role]:
    with community_scope(town.community.id):
        member.refresh_from_db()
        forget_roles(member)
        return member_roles(member)


def test_an_admin_gives_a_role_on_the_members_page(client, town) -> None:
    client.force_login(town.admin)
    page = client.get("/community/members/neighbour/")
    assert page.status_code == 200 and b"Give a role" in page.content
    response = client.post(
        "/community/members/neighbour/", {"role": "volunteer", "organization": town.aid_group.id}
    )
    assert response.status_code == 302
    assert Role.VOLUNTEER in roles_of(town, town.neighbour)
    assert AuditEntry.objects.filter(
        action="community.membership.granted", data__member="neighbour"
    ).exists()


def test_a_role_that_does_not_fit_the_organization_is_refused(client, town) -> None:
    client.force_login(town.admin)
    response = client.post(
        "/community/members/neighbour/",
        {"role": "garden_steward", "organization": town.aid_group.id},
    )
    assert response.status_code == 400 and b"cannot be held there" in response.content
    assert roles_of(town, town.neighbour) == {Role.MEMBER}


def test_an_admin_removes_a_role(client, town) -> None:
    with community_scope(town.community.id):
        membership = Membership.objects.get(member=town.volunteer, role=Role.VOLUNTEER)
    client.force_login(town.admin)
    assert client.post(f"/community/memberships/{membership.id}/revoke/").status_code == 302
    assert roles_of(town, town.volunteer) == {Role.MEMBER}
    assert AuditEntry.objects.filter(action="community.membership.revoked").count() == 1


def test_nobody_removes_the_member_role_or_the_last_admin(town) -> None:
    with community_scope(town.community.id):
        member_role = Membership.objects.get(member=town.neighbour, role=Role.MEMBER)
        admin_role = Membership.objects.get(member=town.admin, role=Role.ADMIN)
        with pytest.raises(MutuaError) as caught:
            services.membership_revoke(actor=town.admin, membership=member_role)
        assert caught.value.code == "cannot_revoke_member"
        with pytest.raises(Conflict) as caught:
            services.membership_revoke(actor=town.admin, membership=admin_role)
        assert caught.value.code == "last_admin"
        assert Membership.objects.filter(role=Role.ADMIN).count() == 1


def test_coordinators_and_members_cannot_manage_roles(client, town) -> None:
    with community_scope(town.community.id):
        for actor in (town.coordinator, town.member):
            with pytest.raises(Forbidden):
                services.membership_grant(actor=actor, member=town.neighbour, role=Role.ADMIN)
        membership = Membership.objects.get(member=town.volunteer, role=Role.VOLUNTEER)
    client.force_login(town.coordinator)
    assert b"Give a role" not in client.get("/community/members/neighbour/").content
    assert client.post("/community/members/neighbour/", {"role": "admin"}).status_code == 403
    assert client.post(f"/community/memberships/{membership.id}/revoke/").status_code == 403
    assert roles_of(town, town.neighbour) == {Role.MEMBER}


def test_another_communitys_member_page_is_not_found(client, town, other_town) -> None:
    client.force_login(town.admin)
    assert client.get("/community/members/hneighbour/").status_code == 404
    with community_scope(other_town.community.id):
        membership = Membership.objects.get(member=other_town.volunteer, role=Role.VOLUNTEER)
    assert client.post(f"/community/memberships/{membership.id}/revoke/").status_code == 404


def test_roles_through_the_api(client, town) -> None:
    with community_scope(town.community.id):
        raw = services.api_token_create(member=town.admin, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    granted = client.post(
        "/api/v1/members/neighbour/roles",
        data={"role": "coordinator", "organization": "aid"},
        content_type="application/json",
        **auth,
    )
    assert granted.status_code == 201
    assert Role.COORDINATOR in roles_of(town, town.neighbour)
    listed = client.get("/api/v1/members/neighbour", **auth).json()
    assert {r["role"] for r in listed["roles"]} == {"member", "coordinator"}
    removed = client.delete(f"/api/v1/memberships/{granted.json()['id']}", **auth)
    assert removed.status_code == 204
    assert roles_of(town, town.neighbour) == {Role.MEMBER}
    wrong = client.post(
        "/api/v1/members/neighbour/roles",
        data={"role": "admin", "organization": "aid"},
        content_type="application/json",
        **auth,
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "role_does_not_fit"
