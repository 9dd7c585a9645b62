"""Worked examples of check-in, the attendance credit and the instructor's fee, via the ledger."""

from datetime import timedelta

import pytest

from mutua.community.roles import OrganizationKind
from mutua.community.tests.factories import OrganizationFactory
from mutua.coop import services as coop_services
from mutua.coop.models import Voucher
from mutua.core.errors import Conflict, Forbidden, MutuaError, NotFound, Refused
from mutua.learning import services
from mutua.learning.models import Attendance, Payout
from mutua.learning.tests.conftest import CREDIT, FEE, SCHOOL_FUNDS, Commons
from mutua.ledger.models import Transfer
from mutua.ledger.selectors import ledger_verify


def test_attending_earns_the_program_credit_once_through_the_ledger(commons: Commons) -> None:
    session = commons.session
    ana = services.registration_create(actor=commons.ana, session=session, seats=2, now=commons.now)
    at_the_door = session.starts_at + timedelta(minutes=5)
    checked = services.attendance_check_in(actor=commons.grace, registration=ana, now=at_the_door)
    assert checked.attendance.seats == 2
    assert checked.credit is not None and checked.credit.amount == CREDIT
    assert commons.balance(commons.ana) == CREDIT
    assert commons.balance() == SCHOOL_FUNDS - CREDIT
    transfer = Transfer.objects.get(pk=checked.credit.transfer_id)
    assert (transfer.debit_account_id, transfer.amount) == (commons.school_wallet.pk, CREDIT)

    with pytest.raises(Conflict):
        services.attendance_check_in(actor=commons.grace, registration=ana, now=at_the_door)
    again = services.attendance_credit_pay(
        actor=commons.grace, attendance=checked.attendance, now=at_the_door
    )
    assert again.pk == checked.credit.pk
    assert commons.balance(commons.ana) == CREDIT  # paid once
    assert ledger_verify() == []


def test_a_check_in_counts_even_when_the_credit_cannot_be_paid(commons: Commons) -> None:
    session = commons.session
    ana = services.registration_create(actor=commons.ana, session=session, now=commons.now)
    drained = commons.balance()
    commons.cooking.attendance_credit = drained + 1
    commons.cooking.save()
    session.refresh_from_db()
    checked = services.attendance_check_in(
        actor=commons.grace, registration=ana, now=session.starts_at
    )
    assert checked.credit is None and "not enough money" in checked.credit_problem
    assert Attendance.objects.filter(registration=ana).exists()
    assert commons.balance(commons.ana) == 0 and not Payout.objects.exists()


def test_the_instructor_is_paid_once_per_session(commons: Commons) -> None:
    session = commons.session
    with pytest.raises(Refused) as refused:
        services.instructor_pay(actor=commons.grace, session=session, now=commons.now)
    assert refused.value.code == "not_started"
    after = session.ends_at
    first = services.instructor_pay(actor=commons.grace, session=session, now=after)
    second = services.instructor_pay(actor=commons.grace, session=session, now=after)
    assert first.pk == second.pk and first.amount == FEE
    assert commons.balance(commons.ines) == FEE
    assert commons.balance() == SCHOOL_FUNDS - FEE
    assert Transfer.objects.filter(pk=first.transfer_id).count() == 1
    assert first.transfer_id == services.payout_transfer_id(session, commons.ines.pk, "instructor")


def test_only_the_schools_educator_checks_in_and_pays(commons: Commons, elsewhere) -> None:  # type: ignore[no-untyped-def]
    session = commons.session
    ana = services.registration_create(actor=commons.ana, session=session, now=commons.now)
    for outsider in (commons.hugo, commons.ben):
        with pytest.raises(Forbidden):
            services.attendance_check_in(actor=outsider, registration=ana, now=session.starts_at)
        with pytest.raises(Forbidden):
            services.instructor_pay(actor=outsider, session=session, now=session.ends_at)
    with pytest.raises(NotFound):
        services.instructor_pay(actor=elsewhere, session=session, now=session.ends_at)
    assert not Attendance.objects.exists() and not Payout.objects.exists()


def test_check_in_is_open_around_the_session_only(commons: Commons) -> None:
    session = commons.session
    ana = services.registration_create(actor=commons.ana, session=session, now=commons.now)
    with pytest.raises(Refused):
        services.attendance_check_in(
            actor=commons.grace, registration=ana, now=session.starts_at - timedelta(hours=2)
        )
    waiting = services.registration_create(actor=commons.ben, session=session, now=commons.now)
    services.registration_cancel(actor=commons.ben, registration=waiting, now=commons.now)
    with pytest.raises(Refused):
        services.attendance_check_in(
            actor=commons.grace, registration=waiting, now=session.starts_at
        )


def test_a_program_can_give_its_credit_as_a_coop_voucher(commons: Commons) -> None:
    """Attending earns a voucher for the co-op instead: the school's wallet pays it into the
    vouchers account, the member spends it at the co-op's till, and what is left goes back to the
    school when it expires."""
    coop = OrganizationFactory(
        community=commons.community, kind=OrganizationKind.FOOD_COOP, slug="canal"
    )
    program = services.program_create(
        actor=commons.grace,
        organization=commons.school,
        kind="nutrition",
        title="Eating well on a budget",
        attendance_credit=CREDIT,
        reward_coop=coop,
    )
    starts = commons.now + timedelta(hours=2)
    plan = services.SessionPlan(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Commons kitchen",
        capacity=4,
        instructor=commons.ines,
    )
    session = services.session_create(actor=commons.grace, program=program, plan=plan)
    ana = services.registration_create(actor=commons.ana, session=session, now=commons.now)
    checked = services.attendance_check_in(actor=commons.grace, registration=ana, now=starts)
    assert checked.credit is not None and checked.credit_problem == ""
    voucher = Voucher.objects.get(holder=commons.ana)
    assert (voucher.organization_id, voucher.amount) == (coop.pk, CREDIT)
    assert voucher.funder_id == commons.school_wallet.pk
    assert checked.credit.transfer_id == voucher.issue_transfer_id
    assert commons.balance() == SCHOOL_FUNDS - CREDIT
    assert commons.balance(commons.ana) == 0  # a voucher, not wallet money
    again = services.attendance_credit_pay(
        actor=commons.grace, attendance=checked.attendance, now=starts
    )
    assert again.pk == checked.credit.pk and Voucher.objects.count() == 1  # given once

    coop_services.vouchers_expire(community=commons.community, now=voucher.expires_at)
    assert commons.balance() == SCHOOL_FUNDS  # unspent: back to the school
    assert ledger_verify() == []


def test_a_reward_voucher_names_a_food_coop_of_the_community(commons: Commons) -> None:
    with pytest.raises(MutuaError) as error:
        services.program_create(
            actor=commons.grace,
            organization=commons.school,
            kind="health",
            title="First aid",
            attendance_credit=CREDIT,
            reward_coop=commons.hill,  # a school, not a co-op
        )
    assert "reward_coop" in error.value.fields
