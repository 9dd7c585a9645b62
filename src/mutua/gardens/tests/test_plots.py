"""The waitlist told as Mill Street's spring: members apply, the steward offers plots, members
accept and pay the fee through the ledger, decline, or return a plot that then goes to the next
in line."""

from datetime import timedelta

import pytest

from mutua.core.errors import Conflict, MutuaError, NotFound, Refused
from mutua.gardens import services
from mutua.gardens.models import Application, Assignment
from mutua.gardens.services.plots import FEE_CODE
from mutua.ledger.models import Transfer

pytestmark = pytest.mark.django_db


def test_apply_wait_offer_accept_pays_the_fee_from_wallet_to_garden(town) -> None:
    ana_before = town.balance(town.wallets["ana"])
    application = town.apply(town.ana, without_garden=True, note="Beans and squash")
    assert application.status == "waiting"
    offer = town.offer(application)
    assert (offer.status, offer.fee) == ("offered", 1200)
    assert town.balance(town.wallets["ana"]) == ana_before  # nothing paid before she says yes
    services.offer_accept(actor=town.ana, assignment=offer)
    offer.refresh_from_db()
    application.refresh_from_db()
    assert (offer.status, application.status) == ("active", "assigned")
    transfer = Transfer.objects.get(pk=offer.transfer_id)
    assert (transfer.code, transfer.amount) == (FEE_CODE, 1200)
    assert transfer.debit_account_id == town.wallets["ana"].id
    assert transfer.credit_account_id == town.garden_wallet.id
    assert town.balance(town.wallets["ana"]) == ana_before - 1200
    assert town.balance(town.garden_wallet) == 1200


def test_a_free_garden_charges_nothing(town) -> None:
    services.garden_settings_set(
        actor=town.tess, garden=town.garden, plot_fee=0, household_priority=False
    )
    offer = town.offer(town.apply(town.ben))
    services.offer_accept(actor=town.ben, assignment=offer)
    offer.refresh_from_db()
    assert (offer.status, offer.transfer_id) == ("active", None)
    assert town.balance(town.garden_wallet) == 0


def test_a_short_wallet_refuses_the_plot_and_changes_nothing(town) -> None:
    services.garden_settings_set(
        actor=town.tess, garden=town.garden, plot_fee=999_999, household_priority=False
    )
    offer = town.offer(town.apply(town.ben))
    with pytest.raises(Refused) as refused:
        services.offer_accept(actor=town.ben, assignment=offer)
    assert refused.value.code == "exceeds_credit_limit"
    offer.refresh_from_db()
    assert offer.status == "offered" and town.balance(town.garden_wallet) == 0


def test_applying_twice_for_the_same_season_is_refused(town) -> None:
    town.apply(town.ana)
    with pytest.raises(Conflict) as twice:
        town.apply(town.ana, note="again")
    assert twice.value.code == "already_applied" and "season" in twice.value.fields
    assert Application.objects.filter(member=town.ana).count() == 1


def test_returning_a_plot_offers_it_to_the_next_in_line(town) -> None:
    first, second, third = town.apply(town.ana), town.apply(town.ben), town.apply(town.cai)
    services.offer_accept(actor=town.ana, assignment=town.offer(first))
    held = Assignment.objects.get(application=first)
    offered = services.plot_return(actor=town.ana, assignment=held)
    assert offered is not None
    assert (offered.application_id, offered.plot_id, offered.status) == (
        second.id,
        town.plots[0].id,
        "offered",
    )
    # Ben says no: Cai is next.
    after = services.offer_decline(actor=town.ben, assignment=offered)
    assert after is not None and after.application_id == third.id
    assert Application.objects.get(pk=second.pk).status == "declined"
    services.offer_accept(actor=town.cai, assignment=after)
    assert Application.objects.get(pk=third.pk).status == "assigned"


def test_households_without_a_garden_go_first_when_the_garden_says_so(town) -> None:
    services.garden_settings_set(
        actor=town.tess, garden=town.garden, plot_fee=0, household_priority=True
    )
    first = town.apply(town.ana)
    services.offer_accept(actor=town.ana, assignment=town.offer(first))
    town.apply(town.ben)  # earlier, but has a garden at home
    cai = town.apply(town.cai, without_garden=True)
    offered = services.plot_return(
        actor=town.tess, assignment=Assignment.objects.get(application=first)
    )
    assert offered is not None and offered.application_id == cai.id


def test_a_plot_is_not_offered_twice_in_a_season(town) -> None:
    town.offer(town.apply(town.ana))
    with pytest.raises(Conflict) as taken:
        town.offer(town.apply(town.ben))
    assert taken.value.code == "plot_taken"
    assert town.offer(Application.objects.get(member=town.ben), town.plots[1]).status == "offered"


def test_only_the_steward_offers_and_only_the_applicant_answers(town) -> None:
    application = town.apply(town.ana)
    with pytest.raises(MutuaError):
        services.plot_offer(actor=town.ben, application=application, plot=town.plots[0])
    offer = town.offer(application)
    with pytest.raises(NotFound):
        services.offer_accept(actor=town.ben, assignment=offer)
    services.offer_accept(actor=town.ana, assignment=offer)
    with pytest.raises(Conflict):
        services.offer_decline(actor=town.ana, assignment=offer)


def test_a_season_that_is_over_takes_no_applications(town) -> None:
    past = services.season_create(
        actor=town.tess,
        garden=town.garden,
        name="Last year",
        starts=town.today - timedelta(days=400),
        ends=town.today - timedelta(days=200),
    )
    with pytest.raises(Refused):
        services.application_create(actor=town.ana, season=past)


def test_plots_stay_on_the_map_and_apart(town) -> None:
    with pytest.raises(MutuaError) as overlap:
        services.plot_create(
            actor=town.tess, garden=town.garden, label="B1", size_m2=4, place=services.Place(1, 1)
        )
    assert "overlaps plot A1" in str(overlap.value.fields["x"])
    with pytest.raises(MutuaError):
        services.plot_create(
            actor=town.tess,
            garden=town.garden,
            label="B1",
            size_m2=4,
            place=services.Place(7, 3, 2),
        )
    plot = services.plot_create(
        actor=town.tess, garden=town.garden, label="B1", size_m2=4, place=services.Place(0, 3, 8)
    )
    assert (plot.x, plot.y, plot.w, plot.h) == (0, 3, 8, 1)


def test_a_steward_of_another_garden_does_not_steward_this_one(town) -> None:
    from mutua.community.roles import OrganizationKind, Role
    from mutua.community.tests.factories import OrganizationFactory, member_with
    from mutua.core.errors import Forbidden

    heron = OrganizationFactory(community=town.community, kind=OrganizationKind.GARDEN)
    hana = member_with(Role.GARDEN_STEWARD, community=town.community, organization=heron)
    application = town.apply(town.ana)
    with pytest.raises(Forbidden):
        services.plot_offer(actor=hana, application=application, plot=town.plots[0])
    with pytest.raises(Forbidden):
        services.plot_create(
            actor=hana, garden=town.garden, label="X1", size_m2=1, place=services.Place(0, 3)
        )
    assert not Assignment.objects.exists()


def test_a_steward_withdraws_an_unanswered_offer_and_the_plot_moves_on(town) -> None:
    first, second = town.apply(town.ana), town.apply(town.ben)
    offer = town.offer(first)
    with pytest.raises(MutuaError):
        services.offer_withdraw(actor=town.ana, assignment=offer)
    moved = services.offer_withdraw(actor=town.tess, assignment=offer)
    assert moved is not None and moved.application_id == second.id
    assert Application.objects.get(pk=first.pk).status == "lapsed"
    assert Assignment.objects.get(pk=offer.pk).status == "withdrawn"
    with pytest.raises(Conflict):
        services.offer_accept(actor=town.ana, assignment=offer)
