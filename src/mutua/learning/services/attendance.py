"""Writing attendance and what the school pays for a session, in local dollars.

Check-in: an educator of the school marks a registration present (from an hour before the start
to a week after the end), once; the row is append-only. If the program sets an attendance credit,
the check-in pays it from the school's wallet to the member's wallet in the same transaction,
inside a savepoint: when the credit cannot be paid (no wallet, the school's wallet is short) the
attendance still counts, the sheet says the credit is unpaid, and `attendance_credit_pay` pays it
later.

The instructor's fee is paid once per session, after it started, from the school's wallet to the
instructor's wallet (`instructor_pay`).

Both payments are ledger transfers whose id derives from what they pay for (`payout_transfer_id`):
a retry, a double click or two educators at once reach the same transfer, which the ledger makes at
most once (`exists`), and the unique `learning_payout_once` says it again for the `Payout` row. A
second call answers with the first payout and moves nothing.
"""

from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID, uuid5

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.permissions import may, require
from mutua.coop.services import VoucherTerms, voucher_fund
from mutua.core.errors import Conflict, Forbidden, MutuaError, Refused
from mutua.core.services import audit_record
from mutua.currency import selectors as currency_selectors
from mutua.learning.models import (
    MAX_GROUP,
    Attendance,
    Payout,
    PayoutKind,
    Registration,
    RegistrationStatus,
    Session,
)
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferRequest
from mutua.ledger.messages import refusal_raise
from mutua.ledger.models import Account

PAYOUT_NAMESPACE = UUID("9a4c1f0e-5d1b-4c7a-8e0b-2f6a3c9d7b15")
CHECK_IN_EARLY = timedelta(hours=1)
CHECK_IN_LATE = timedelta(days=7)

# An attendance credit given as a co-op voucher is valid this long.
REWARD_DAYS = 60


def payout_transfer_id(session: Session, member_id: UUID, kind: str) -> UUID:
    return uuid5(PAYOUT_NAMESPACE, f"{kind}:{session.pk}:{member_id}")


class CheckIn(NamedTuple):
    attendance: Attendance
    credit: Payout | None
    credit_problem: str = ""


@transaction.atomic
def attendance_check_in(
    *,
    actor: Member,
    registration: Registration,
    seats: int | None = None,
    now: datetime | None = None,
) -> CheckIn:
    session = Session.objects.select_related("program", "organization").get(
        pk=registration.session_id
    )
    require(actor, "learning.attendance.check_in", session)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.REGISTERED:
        raise Refused(_("Only registered people are checked in."), code="not_registered")
    if not session.starts_at - CHECK_IN_EARLY <= now <= session.ends_at + CHECK_IN_LATE:
        raise Refused(
            _("Check-in opens an hour before the session and closes a week after it."),
            code="check_in_closed",
        )
    present = registration.seats if seats is None else seats
    if isinstance(present, bool) or not 1 <= present <= min(registration.seats, MAX_GROUP):
        message = _("Between 1 and %(n)s people.") % {"n": registration.seats}
        raise MutuaError(message, code="invalid_seats", fields={"seats": [message]})
    if Attendance.objects.filter(registration=registration).exists():
        raise Conflict(_("Already checked in."), code="checked_in")
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                community_id=session.community_id,
                session=session,
                registration=registration,
                member_id=registration.member_id,
                seats=present,
                checked_in_by=actor,
                checked_in_at=now,
            )
    except IntegrityError as error:
        raise Conflict(_("Already checked in."), code="checked_in") from error
    audit_record(action="learning.attendance.checked_in", actor=actor, obj=attendance, now=now)
    credit, problem = None, ""
    if session.program.attendance_credit > 0:
        try:
            with transaction.atomic():
                credit = _credit(actor, attendance, now)
        except MutuaError as error:
            problem = str(error.message)
    return CheckIn(attendance, credit, problem)


@transaction.atomic
def attendance_credit_pay(
    *, actor: Member, attendance: Attendance, now: datetime | None = None
) -> Payout:
    """Pay (or answer with) the attendance credit of a check-in whose credit was not paid then."""
    require(actor, "learning.attendance.check_in", attendance.session)
    if attendance.session.program.attendance_credit <= 0:
        raise Refused(_("This program pays no credit for attending."), code="no_credit")
    return _credit(actor, attendance, now or timezone.now())


def _credit(actor: Member, attendance: Attendance, now: datetime) -> Payout:
    session = attendance.session
    if session.program.reward_coop_id is not None:
        return _voucher(actor, attendance, now)
    return _payout(
        actor=actor,
        session=session,
        member=attendance.member,
        kind=PayoutKind.ATTENDANCE,
        amount=session.program.attendance_credit,
        now=now,
    )


def _voucher(actor: Member, attendance: Attendance, now: datetime) -> Payout:
    """The attendance credit as a co-op voucher, paid from the school's wallet: once per
    attendance, like a credit (a second call answers with the first; two at once, one wins)."""
    session, member = attendance.session, attendance.member
    kind = PayoutKind.ATTENDANCE
    existing = Payout.objects.filter(session=session, member=member, kind=kind).first()
    if existing is not None:
        return existing
    school = _school_wallet(actor, session)  # a voucher needs no wallet of the member's
    program = session.program
    assert program.reward_coop is not None
    terms = VoucherTerms(
        coop=program.reward_coop,
        holder=member,
        amount=program.attendance_credit,
        expires_at=now + timedelta(days=REWARD_DAYS),
        reason=_("Attended %(title)s") % {"title": program.title},
    )
    voucher = voucher_fund(funder_id=school.pk, actor=actor, terms=terms, now=now)
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                community_id=session.community_id,
                session=session,
                member=member,
                kind=kind,
                amount=voucher.amount,
                transfer_id=voucher.issue_transfer_id,
                paid_by=actor,
                created_at=now,
            )
    except IntegrityError as error:  # another educator gave it a moment ago: not twice
        raise Conflict(_("The credit for attending was given already."), code="paid") from error
    audit_record(action="learning.payout.voucher", actor=actor, obj=payout, now=now)
    return payout


@transaction.atomic
def instructor_pay(*, actor: Member, session: Session, now: datetime | None = None) -> Payout:
    """Pay the session's instructor their fee, once, after the session started."""
    require(actor, "learning.instructor.pay", session)
    now = now or timezone.now()
    if session.instructor_fee <= 0:
        raise Refused(_("This session has no instructor's fee."), code="no_fee")
    if now < session.starts_at:
        raise Refused(_("The instructor is paid once the session has started."), code="not_started")
    return _payout(
        actor=actor,
        session=session,
        member=session.instructor,
        kind=PayoutKind.INSTRUCTOR,
        amount=session.instructor_fee,
        now=now,
    )


def _school_wallet(actor: Member, session: Session) -> Account:
    currency = currency_selectors.currency_of(session.organization.community)
    school = currency_selectors.wallet_of(currency=currency, organization=session.organization)
    if school is None:
        raise Refused(
            _("The school has no local-dollar wallet to pay from."), code="no_school_wallet"
        )
    if not may(actor, "ledger.account.debit", school):
        raise Forbidden(_("You may not pay from the school's wallet."))
    return school


def _wallets(actor: Member, session: Session, member: Member) -> tuple[Account, Account]:
    school = _school_wallet(actor, session)
    currency = currency_selectors.currency_of(session.organization.community)
    wallet = currency_selectors.wallet_of(currency=currency, member=member)
    if wallet is None:
        raise Refused(
            _("%(name)s has no local-dollar wallet to be paid into.")
            % {"name": member.display_name},
            code="no_wallet",
        )
    return school, wallet


def _payout(
    *, actor: Member, session: Session, member: Member, kind: str, amount: int, now: datetime
) -> Payout:
    existing = Payout.objects.filter(session=session, member=member, kind=kind).first()
    if existing is not None:
        return existing
    school, wallet = _wallets(actor, session, member)
    transfer_id = payout_transfer_id(session, member.pk, kind)
    memo = _("%(what)s: %(title)s, %(day)s") % {
        "what": PayoutKind(kind).label,
        "title": session.program.title,
        "day": timezone.localtime(session.starts_at).strftime("%Y-%m-%d"),
    }
    refusal_raise(
        ledger.transfer_create(
            community=session.organization.community,
            request=TransferRequest(
                id=transfer_id,
                debit_account_id=school.pk,
                credit_account_id=wallet.pk,
                amount=amount,
                code=f"learning_{kind}",
                memo=str(memo)[:200],
            ),
            actor=actor,
            now=now,
        )
    )
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                community_id=session.community_id,
                session=session,
                member=member,
                kind=kind,
                amount=amount,
                transfer_id=transfer_id,
                paid_by=actor,
                created_at=now,
            )
    except IntegrityError:  # another educator recorded it a moment ago; the ledger paid once
        return Payout.objects.get(session=session, member=member, kind=kind)
    audit_record(action=f"learning.payout.{kind}", actor=actor, obj=payout, now=now)
    return payout
