"""Deletion, told as Ana leaving Riverbend: she asks, Boss carries it out, and afterwards nothing
in the whole database names her, while the ledger still adds up to the cent."""

import pytest

from mutua.community.models import ApiToken, HouseholdNeeds, Member
from mutua.community.services import api_token_create, former_label
from mutua.community.tests.factories import PASSWORD
from mutua.core.errors import Conflict, Forbidden, NotFound, Refused
from mutua.core.models import AuditEntry
from mutua.core.selectors import audit_verify
from mutua.ledger.models import Account, Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.privacy import services
from mutua.privacy.models import DeletionStatus
from mutua.privacy.tests.conftest import (
    ANA_ADDRESS,
    ANA_CROSS_STREETS,
    ANA_DETAILS,
    ANA_NOTES,
    ANA_REQUEST_NOTE,
    BEN_ADDRESS,
    database_text,
)

pytestmark = pytest.mark.django_db

ANA_TEXT = [*ANA_DETAILS.values(), ANA_ADDRESS, ANA_NOTES, ANA_REQUEST_NOTE, ANA_CROSS_STREETS]


def test_deletion_forgets_ana_everywhere_and_keeps_the_ledger_whole(street) -> None:  # type: ignore[no-untyped-def]
    api_token_create(member=street.ana, name="phone app")
    before = street.balances()
    transfers = set(Transfer.objects.values_list("id", "hash"))
    text = database_text()
    assert all(detail in text for detail in ANA_TEXT)  # the check below can see them

    asked = services.deletion_request(member=street.ana)
    services.deletion_carry_out(actor=street.admin, asked=asked)

    text = database_text()
    assert [detail for detail in ANA_TEXT if detail in text] == []
    assert BEN_ADDRESS in text  # the neighbour's household is not touched
    assert ledger_verify() == []
    assert audit_verify() == {}
    assert street.balances() == before
    assert set(Transfer.objects.values_list("id", "hash")) == transfers
    ana = Member.objects.get(pk=street.ana.pk)
    assert ana.display_name.startswith("Former member #")
    label = former_label(ana)
    assert (ana.handle, ana.email, ana.phone, ana.is_active) == (f"former-{label}", "", "", False)
    assert not ana.has_usable_password() and not ana.check_password(PASSWORD)
    assert not Member.objects.filter(handle="ana").exists()  # the handle is free again
    assert not ApiToken.objects.filter(member=ana, revoked_at__isnull=True).exists()
    assert not ana.memberships.exists()
    wallet = Account.objects.get(pk=street.town.ana_wallet.pk)
    assert (wallet.name, wallet.closed_at is not None) == (ana.display_name, True)
    needs = HouseholdNeeds.objects.get(household=street.ana_home)
    assert (needs.address, needs.allergens, needs.urgent_medical) == ("", [], False)
    asked.refresh_from_db()
    assert asked.status == DeletionStatus.DONE
    entry = AuditEntry.objects.get(action="privacy.deletion.carried_out")
    assert entry.data["request_notes"] == 1


def test_deletion_refused_while_the_wallet_holds_money(street) -> None:  # type: ignore[no-untyped-def]
    street.town.pay(street.ben, "ana", 100)
    with pytest.raises(Refused) as refused:
        services.deletion_request(member=street.ana)
    assert refused.value.code == "deletion_blocked"
    assert "wallet holds money" in refused.value.message
    assert not street.ana.deletion_requests.exists()


def test_carrying_out_checks_again_and_changes_nothing_when_money_arrived(street) -> None:  # type: ignore[no-untyped-def]
    asked = services.deletion_request(member=street.ana)
    street.town.pay(street.ben, "ana", 100)
    with pytest.raises(Refused):
        services.deletion_carry_out(actor=street.admin, asked=asked)
    asked.refresh_from_db()
    street.ana.refresh_from_db()
    assert (asked.status, street.ana.display_name) == (DeletionStatus.PENDING, "Ana Quintessa")


def test_deletion_lists_every_reason_at_once(street) -> None:  # type: ignore[no-untyped-def]
    street.town.pay(street.ben, "ana", 100)
    street.request.status = "new"
    street.request.save(update_fields=["status"])
    with pytest.raises(Refused) as refused:
        services.deletion_request(member=street.ana)
    assert len(refused.value.fields["blockers"]) == 2


def test_one_waiting_request_and_a_withdrawal(street) -> None:  # type: ignore[no-untyped-def]
    asked = services.deletion_request(member=street.ana)
    with pytest.raises(Conflict):
        services.deletion_request(member=street.ana)
    with pytest.raises(NotFound):
        services.deletion_withdraw(member=street.ben, asked=asked)
    services.deletion_withdraw(member=street.ana, asked=asked)
    with pytest.raises(Conflict):
        services.deletion_carry_out(actor=street.admin, asked=asked)
    assert services.deletion_request(member=street.ana).status == DeletionStatus.PENDING


def test_only_an_admin_of_her_community_carries_it_out(street, hillside_admin) -> None:  # type: ignore[no-untyped-def]
    asked = services.deletion_request(member=street.ana)
    with pytest.raises(Forbidden):
        services.deletion_carry_out(actor=street.cora, asked=asked)
    with pytest.raises(NotFound):
        services.deletion_carry_out(actor=hillside_admin, asked=asked)


def test_a_shared_household_keeps_its_needs(street) -> None:  # type: ignore[no-untyped-def]
    Member.objects.filter(pk=street.ben.pk).update(household=street.ana_home)
    asked = services.deletion_request(member=street.ana)
    services.deletion_carry_out(actor=street.admin, asked=asked)
    needs = HouseholdNeeds.objects.get(household=street.ana_home)
    assert needs.address == ANA_ADDRESS
    street.request.refresh_from_db()
    assert street.request.note == ANA_REQUEST_NOTE
