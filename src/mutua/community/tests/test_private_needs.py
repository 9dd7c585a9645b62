"""Private household needs: only the roles that need them see them; every view is audit-logged."""

import pytest

from mutua.community import selectors, services
from mutua.community.models import Household
from mutua.community.services import api_token_create
from mutua.core.errors import Forbidden
from mutua.core.models import AuditEntry
from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db

VIEWED = "community.household.needs_viewed"


def views_logged(household) -> int:
    return AuditEntry.objects.filter(action=VIEWED, object_id=str(household.pk)).count()


def test_coordinator_sees_needs_and_each_view_is_logged(client, town) -> None:
    client.force_login(town.coordinator)
    for expected in (1, 2):
        response = client.get(f"/community/households/{town.household.id}/")
        assert response.status_code == 200
        assert b"12 Elm Street" in response.content and b"Peanuts" in response.content
        assert views_logged(town.household) == expected
    entry = AuditEntry.objects.filter(action=VIEWED).latest("seq")
    assert entry.actor_label == "coord"
    assert "Elm" not in str(entry.data)  # the log names the view, it does not copy the data


def test_the_household_sees_its_own_needs_logged_too(client, town) -> None:
    client.force_login(town.member)
    response = client.get(f"/community/households/{town.household.id}/")
    assert response.status_code == 200 and b"12 Elm Street" in response.content
    assert views_logged(town.household) == 1


@pytest.mark.parametrize("who", ["neighbour", "volunteer"])
def test_other_members_and_volunteers_cannot_open_a_household(client, town, who) -> None:
    client.force_login(getattr(town, who))
    response = client.get(f"/community/households/{town.household.id}/")
    assert response.status_code == 403
    assert b"12 Elm Street" not in response.content
    assert views_logged(town.household) == 0


def test_admin_sees_households_but_not_their_needs(client, town) -> None:
    client.force_login(town.admin)
    response = client.get(f"/community/households/{town.household.id}/")
    assert response.status_code == 200
    assert b"12 Elm Street" not in response.content and b"Peanuts" not in response.content
    assert views_logged(town.household) == 0


def test_selector_refuses_without_the_role(in_town) -> None:
    with pytest.raises(Forbidden):
        selectors.household_needs_get(viewer=in_town.volunteer, household=in_town.household)
    assert views_logged(in_town.household) == 0


def test_api_needs_follow_the_same_rules(client, town) -> None:
    with community_scope(town.community.id):
        _t, coordinator = api_token_create(member=town.coordinator, name="c")
        _t, neighbour = api_token_create(member=town.neighbour, name="n")
    url = f"/api/v1/households/{town.household.id}/needs"
    ok = client.get(url, HTTP_AUTHORIZATION=f"Bearer {coordinator}")
    assert ok.status_code == 200
    assert ok.json()["allergens"] == ["peanuts"] and ok.json()["urgent_medical"] is True
    refused = client.get(url, HTTP_AUTHORIZATION=f"Bearer {neighbour}")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert views_logged(town.household) == 1


def test_coordinator_updates_needs_with_an_audit_entry(client, town) -> None:
    client.force_login(town.coordinator)
    response = client.post(
        f"/community/households/{town.household.id}/needs/",
        {
            "diets": ["vegan"],
            "allergens": ["sesame", "milk"],
            "urgent_medical": "",
            "notes": "",
            "address": "3 Oak Road",
        },
    )
    assert response.status_code == 302
    with community_scope(town.community.id):
        town.household.needs.refresh_from_db()
        assert town.household.needs.allergens == ["milk", "sesame"]
        assert town.household.needs.urgent_medical is False
    assert AuditEntry.objects.filter(action="community.household.needs_updated").count() == 1


def test_unknown_allergen_is_refused_and_nothing_changes(client, town) -> None:
    with community_scope(town.community.id):
        _t, raw = api_token_create(member=town.coordinator, name="c")
    response = client.put(
        f"/api/v1/households/{town.household.id}/needs",
        data={"allergens": ["gluten", "moonbeams"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_body"
    with community_scope(town.community.id):
        town.household.needs.refresh_from_db()
        assert town.household.needs.allergens == ["peanuts"]


def test_a_coordinator_adds_a_household_taken_by_phone(client, town) -> None:
    client.force_login(town.coordinator)
    assert b"Urgent medical need" in client.get("/community/households/new/").content
    response = client.post(
        "/community/households/new/",
        {
            "name": "Okafor household",
            "size": "4",
            "allergens": ["eggs"],
            "urgent_medical": "on",
            "address": "7 Mill Street",
            "notes": "",
            "diets": [],
        },
    )
    assert response.status_code == 302
    with community_scope(town.community.id):
        household = Household.objects.get(name="Okafor household")
        assert household.needs.allergens == ["eggs"] and household.needs.urgent_medical
    assert AuditEntry.objects.filter(action="community.household.created").count() == 1


def test_an_admin_adds_a_household_without_seeing_or_writing_needs(client, town) -> None:
    client.force_login(town.admin)
    form = client.get("/community/households/new/")
    assert form.status_code == 200 and b"Urgent medical need" not in form.content
    assert (
        client.post(
            "/community/households/new/", {"name": "Park household", "size": "2"}
        ).status_code
        == 302
    )
    with community_scope(town.community.id), pytest.raises(Forbidden):
        services.household_create(
            community=town.community,
            name="X",
            size=1,
            actor=town.admin,
            needs={"address": "1 Side Street"},
        )


def test_bad_household_details_change_nothing(client, town) -> None:
    with community_scope(town.community.id):
        before = Household.objects.count()
        raw = services.api_token_create(member=town.coordinator, name="c")[1]
    client.force_login(town.coordinator)
    page = client.post("/community/households/new/", {"name": "", "size": "0"})
    assert page.status_code == 400
    api = client.post(
        "/api/v1/households",
        data={"name": "Lee household", "size": 2, "needs": {"allergens": ["unicorn"]}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert api.status_code == 422
    ok = client.post(
        "/api/v1/households",
        data={"name": "Lee household", "size": 2, "needs": {"allergens": ["soy"]}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert ok.status_code == 201 and ok.json()["size"] == 2
    with community_scope(town.community.id):
        assert Household.objects.count() == before + 1
    members = client.post(
        "/api/v1/households",
        data={"name": "N", "size": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer "
        + services.api_token_create(member=town.neighbour, name="n")[1],
    )
    assert members.status_code == 403
