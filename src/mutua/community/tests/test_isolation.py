"""One community never sees another's data: in queries, selectors, pages and the API."""

import pytest
from django_scopes import ScopeError

from mutua.community import selectors
from mutua.community.models import Household, HouseholdNeeds, Organization
from mutua.community.services import api_token_create
from mutua.core.errors import NotFound
from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db


def test_a_query_without_a_community_scope_fails_instead_of_reading_everything(
    town, other_town
) -> None:
    with pytest.raises(ScopeError):
        list(Household.objects.all())
    with pytest.raises(ScopeError):
        HouseholdNeeds.objects.filter(urgent_medical=True).count()


def test_the_scope_filters_every_query_to_its_community(town, other_town) -> None:
    with community_scope(town.community.id):
        assert set(Household.objects.values_list("name", flat=True)) == {"Rivera household"}
        assert not HouseholdNeeds.objects.filter(address="99 Secret Lane").exists()
        assert Organization.objects.get(slug="aid").community == town.community


def test_an_anonymous_scope_sees_no_community(town) -> None:
    with community_scope(None):
        assert Household.objects.count() == 0


def test_selectors_answer_not_found_for_another_communitys_household(in_town, other_town) -> None:
    with pytest.raises(NotFound):
        selectors.household_get(viewer=in_town.coordinator, household_id=other_town.household.id)
    names = [h.name for h in selectors.household_list(viewer=in_town.coordinator)]
    assert names == ["Rivera household"]
    handles = {m.handle for m in selectors.member_list(viewer=in_town.coordinator)}
    assert "hana" not in handles and "ana" in handles


def test_pages_answer_404_for_another_communitys_household(client, town, other_town) -> None:
    client.force_login(town.coordinator)
    response = client.get(f"/community/households/{other_town.household.id}/")
    assert response.status_code == 404
    assert b"99 Secret Lane" not in response.content
    response = client.get("/community/households/")
    assert b"Hill household" not in response.content and b"Rivera household" in response.content


def test_api_answers_404_for_another_communitys_household(client, town, other_town) -> None:
    with community_scope(town.community.id):
        _token, raw = api_token_create(member=town.coordinator, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.get(f"/api/v1/households/{other_town.household.id}/needs", **auth)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    listed = client.get("/api/v1/households", **auth).json()
    assert [h["name"] for h in listed] == ["Rivera household"]
    members = {m["handle"] for m in client.get("/api/v1/members", **auth).json()}
    assert "hana" not in members
