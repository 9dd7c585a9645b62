"""Ana downloads everything Riverbend holds about her: all of it is there, and nothing of Ben's
household is."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from mutua.community.selectors import household_needs_get
from mutua.community.services import api_token_create
from mutua.core.models import AuditEntry
from mutua.privacy.export import member_export
from mutua.privacy.tests.conftest import (
    ANA_ADDRESS,
    ANA_CROSS_STREETS,
    ANA_DETAILS,
    ANA_REQUEST_NOTE,
    BEN_ADDRESS,
    BEN_NOTES,
)

pytestmark = pytest.mark.django_db


def test_the_export_holds_her_profile_household_requests_money_and_who_looked(street) -> None:  # type: ignore[no-untyped-def]
    _token, secret = api_token_create(member=street.ana, name="phone app")
    household_needs_get(viewer=street.cora, household=street.ana_home)
    document = member_export(member=street.ana)
    profile = document["profile"]
    assert {k: profile[k] for k in ANA_DETAILS} == ANA_DETAILS
    assert [t["name"] for t in profile["api_tokens"]] == ["phone app"]
    assert secret not in json.dumps(document, cls=DjangoJSONEncoder)
    assert document["household"]["needs"]["address"] == ANA_ADDRESS
    assert document["household"]["needs"]["allergens"] == ["peanuts"]
    (request,) = document["aid"]["requests"]
    assert (request["note"], request["status"]) == (ANA_REQUEST_NOTE, "fulfilled")
    assert request["deliveries"][0]["cross_streets"] == ANA_CROSS_STREETS
    (wallet,) = document["money"]["accounts"]
    assert wallet["balance"] == 0
    assert [(t["direction"], t["memo"]) for t in wallet["transfers"]][-1] == (
        "out",
        "for the bread",
    )
    viewed = [e for e in document["audit"] if e["action"] == "community.household.needs_viewed"]
    assert [e["actor_label"] for e in viewed] == ["cora", "ana"]  # the export reads them too


def test_the_export_holds_nothing_of_the_neighbours_household(street) -> None:  # type: ignore[no-untyped-def]
    household_needs_get(viewer=street.cora, household=street.ben_home)
    text = json.dumps(member_export(member=street.ana), cls=DjangoJSONEncoder)
    assert BEN_ADDRESS not in text and BEN_NOTES not in text
    assert "Okafor" not in text and street.ben.email not in text
    assert str(street.ben_home.pk) not in text


def test_every_export_is_in_the_audit_log(street) -> None:  # type: ignore[no-untyped-def]
    member_export(member=street.ana)
    member_export(member=street.ana)
    exports = AuditEntry.objects.filter(action="privacy.export.downloaded")
    assert [(e.actor_id, e.object_id) for e in exports] == [(street.ana.pk, str(street.ana.pk))] * 2
