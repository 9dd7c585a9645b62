"""The web shell: per-role dashboards and navigation, refusals, error pages, languages."""

import pytest

from mutua.community.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "role", "heading"),
    [
        ("member", Role.MEMBER, b"Your household"),
        ("coordinator", Role.COORDINATOR, b"Households by number of people"),
        ("admin", Role.ADMIN, b"People by role"),
        ("volunteer", Role.VOLUNTEER, b"The people you work with"),
    ],
)
def test_each_role_reaches_its_dashboard(client, town, who, role, heading) -> None:
    client.force_login(getattr(town, who))
    response = client.get(f"/dashboard/{role.value}/")
    assert response.status_code == 200
    assert heading.lower() in response.content.lower()
    assert f'href="/dashboard/{role.value}/"'.encode() in response.content


def test_a_member_cannot_open_a_coordinator_page(client, town) -> None:
    client.force_login(town.member)
    for url in (
        "/dashboard/coordinator/",
        "/community/households/",
        "/community/audit/",
        "/community/invitations/",
        "/community/join-requests/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"You cannot open this page" in response.content
    navigation = client.get("/dashboard/member/").content
    assert b'href="/community/households/"' not in navigation


def test_signed_out_visitors_are_sent_to_sign_in(client, town) -> None:
    response = client.get("/dashboard/coordinator/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unknown_pages_get_a_friendly_404(client, town) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
    assert client.get("/api/v1/nothing-here").json()["code"] == "not_found"


def test_the_admin_sees_an_intact_audit_log(client, town) -> None:
    client.force_login(town.admin)
    response = client.get("/community/audit/")
    assert response.status_code == 200 and b"The chain is intact" in response.content


def test_switching_to_spanish_translates_the_shell_and_remembers_it(client, town) -> None:
    client.force_login(town.member)
    response = client.post(
        "/language/", {"language": "es", "next": "/dashboard/member/"}, follow=True
    )
    assert response.status_code == 200
    assert b"Tu hogar" in response.content and b'lang="es"' in response.content
    town.member.refresh_from_db()
    assert town.member.preferred_language == "es"


def test_a_members_preferred_language_applies_on_a_new_browser(client, town) -> None:
    town.member.preferred_language = "es"
    town.member.save()
    client.force_login(town.member)
    assert b"Tu hogar" in client.get("/dashboard/member/").content


def test_the_django_admin_is_for_platform_operators_only(client, town) -> None:
    town.admin.is_staff = True
    town.admin.save()
    client.force_login(town.admin)
    assert client.get("/admin/").status_code == 302


def test_the_profile_explains_tokens_with_escaped_markup(client, town) -> None:
    client.force_login(town.member)
    response = client.get("/community/profile/")
    assert b"Authorization: Bearer &lt;token&gt;" in response.content


def test_the_server_error_page_is_friendly_and_needs_nothing_from_the_request(rf) -> None:
    from mutua.web.views import server_error

    page = server_error(rf.get("/dashboard/"))
    assert page.status_code == 500
    assert b"Something went wrong on our side" in page.content and b"Algo sali" in page.content
    api = server_error(rf.get("/api/v1/me"))
    assert api.status_code == 500 and b'"code": "server_error"' in api.content
