"""Writing registrations: registering (or joining the waitlist), cancelling, and the offers of freed
seats (accepting, declining, expiring).

Every writer of one session's registrations first locks the session's row (`_locked`), then
brings the session up to date (`seats_fill`): offers past their time expire, and the freed seats
are offered to the waitlist (`waitlist.offers_for`). So an offer that expired moves on whenever
anyone touches the session, and `mutua learning offers-expire` does the same for sessions nobody
touched. Under the lock, the seats counted are the seats held; the database's trigger refuses a
write that would overfill the session all the same.

An offer lasts the session's `offer_hours`, and never past the session's start. Accepting an offer
after its time is refused (`Gone`, nothing changed); the seat has gone, or goes at the next touch,
to the next person in line. A newly offered member is told by mail (through the queue, on commit).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.permissions import may, require
from mutua.core.errors import Conflict, Gone, MutuaError, NotFound, Refused
from mutua.core.services import audit_record
from mutua.core.tasks import email_send
from mutua.learning.models import (
    HOLDING,
    LIVE,
    MAX_GROUP,
    CalendarFeed,
    Registration,
    RegistrationStatus,
    Session,
)
from mutua.learning.waitlist import Entry, offers_for

S = RegistrationStatus


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().select_related("program").get(pk=session.pk)


def seats_held(session: Session) -> int:
    held = Registration.objects.filter(session=session, status__in=HOLDING).aggregate(
        n=Sum("seats")
    )
    return int(held["n"] or 0)


@dataclass(frozen=True)
class Filled:
    expired: list[Registration]
    offered: list[Registration]


def seats_fill(session: Session, *, now: datetime) -> Filled:
    """Expire overdue offers, then offer the free seats to the waitlist. The caller holds the lock
    on the session's row (`_locked`)."""
    overdue = list(
        Registration.objects.filter(
            session=session, status=S.OFFERED, offer_expires_at__lte=now
        ).select_related("member")
    )
    for registration in overdue:
        registration.status, registration.decided_at = S.EXPIRED, now
        registration.save(update_fields=["status", "decided_at"])
        audit_record(action="learning.offer.expired", obj=registration, now=now)
    offered: list[Registration] = []
    if now < session.starts_at:
        waiting = {
            r.pk: r
            for r in Registration.objects.filter(session=session, status=S.WAITING).select_related(
                "member"
            )
        }
        entries = [Entry(r.pk, r.created_at, r.seats) for r in waiting.values()]
        free = session.capacity - seats_held(session)
        expires = min(now + timedelta(hours=session.offer_hours), session.starts_at)
        for entry in offers_for(entries, free_seats=free):
            offered.append(_offer(waiting[entry.id], expires, now))
    return Filled(overdue, offered)


def _offer(registration: Registration, expires: datetime, now: datetime) -> Registration:
    registration.status = S.OFFERED
    registration.offered_at, registration.offer_expires_at = now, expires
    registration.save(update_fields=["status", "offered_at", "offer_expires_at"])
    audit_record(action="learning.offer.made", obj=registration, now=now)
    _mail_offer(registration)
    return registration


def _mail_offer(registration: Registration) -> None:
    email = registration.member.email
    if not email:
        return
    with translation.override(registration.member.preferred_language):
        subject, body = _offer_message(registration)
    transaction.on_commit(lambda: email_send.enqueue(to=[email], subject=subject, body=body))


def _offer_message(registration: Registration) -> tuple[str, str]:
    session = registration.session
    subject = _("A seat is free for you: %(title)s") % {"title": session.program.title}
    body = _(
        "A seat freed up in %(title)s on %(when)s at %(place)s.\n"
        "Accept it on your workshops page before %(expires)s, or it goes to the next person "
        "on the waitlist."
    ) % {
        "title": session.program.title,
        "when": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
        "place": session.place,
        "expires": timezone.localtime(registration.offer_expires_at).strftime("%Y-%m-%d %H:%M"),
    }
    return str(subject), str(body)


def _seats_problems(session: Session, seats: int) -> None:
    if isinstance(seats, bool) or not 1 <= seats <= MAX_GROUP:
        message = _("One registration is for 1 to %(max)s people.") % {"max": MAX_GROUP}
        raise MutuaError(message, code="invalid_seats", fields={"seats": [message]})
    if seats > session.capacity:
        message = _("This session has only %(n)s seats.") % {"n": session.capacity}
        raise Refused(message, code="too_many_seats", fields={"seats": [message]})


def _already() -> Conflict:
    message = _("You are already registered or on the waitlist for this session.")
    return Conflict(message, code="already_registered")


@transaction.atomic
def registration_create(
    *,
    actor: Member,
    session: Session,
    seats: int = 1,
    waitlist: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> Registration:
    """A place for `seats` people if they fit; else, if `waitlist`, a place in line; else refused.
    A group is one registration: it takes all its seats or waits as one entry."""
    require(actor, "learning.register", session)
    now = now or timezone.now()
    session = _locked(session)
    seats_fill(session, now=now)
    if session.starts_at <= now:
        raise Refused(_("This session has already started."), code="session_started")
    _seats_problems(session, seats)
    if Registration.objects.filter(session=session, member=actor, status__in=LIVE).exists():
        raise _already()
    fits = seats <= session.capacity - seats_held(session)
    if not fits and not waitlist:
        raise Refused(
            _(
                "This session is full. Join the waitlist and you will be offered a seat "
                "when one frees up."
            ),
            code="session_full",
        )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                community_id=session.community_id,
                session=session,
                member=actor,
                seats=seats,
                note=note.strip()[:200],
                status=S.REGISTERED if fits else S.WAITING,
                created_at=now,
            )
    except IntegrityError as error:  # the partial unique index: a double submit
        raise _already() from error
    action = "learning.registration.created" if fits else "learning.registration.waitlisted"
    audit_record(action=action, actor=actor, obj=registration, data={"seats": seats}, now=now)
    return registration


def _own(actor: Member, registration: Registration) -> None:
    if registration.member_id != actor.pk and not may(
        actor, "learning.roster.view", registration.session
    ):
        raise NotFound(_("Not found."))


def _relocked(registration: Registration) -> tuple[Session, Registration]:
    session = _locked(registration.session)
    return session, Registration.objects.select_related("member").get(pk=registration.pk)


@transaction.atomic
def registration_cancel(
    *, actor: Member, registration: Registration, now: datetime | None = None
) -> Registration:
    """The member (or the school's educator) gives the place up; freed seats are offered on."""
    _own(actor, registration)
    now = now or timezone.now()
    session, registration = _relocked(registration)
    if registration.status not in LIVE:
        raise Conflict(_("This registration is no longer active."), code="not_active")
    if session.starts_at <= now:
        raise Refused(_("This session has already started."), code="session_started")
    registration.status, registration.decided_at = S.CANCELLED, now
    registration.save(update_fields=["status", "decided_at"])
    audit_record(action="learning.registration.cancelled", actor=actor, obj=registration, now=now)
    seats_fill(session, now=now)
    return registration


@transaction.atomic
def offer_accept(
    *, actor: Member, registration: Registration, now: datetime | None = None
) -> Registration:
    """Take the offered seats, before the offer's time is up."""
    if registration.member_id != actor.pk:
        raise NotFound(_("Not found."))
    now = now or timezone.now()
    session, registration = _relocked(registration)
    overdue = registration.status == S.OFFERED and registration.offer_expires_at <= now  # type: ignore[operator]
    if overdue or registration.status == S.EXPIRED:
        expired = timezone.localtime(registration.offer_expires_at)
        raise Gone(
            _(
                "This offer expired at %(time)s on %(day)s, so the seat goes to the next person "
                "in line. You can join the waitlist again."
            )
            % {"time": expired.strftime("%H:%M"), "day": expired.strftime("%Y-%m-%d")},
            code="offer_expired",
        )
    if registration.status != S.OFFERED:
        raise Conflict(_("There is no open offer on this registration."), code="no_offer")
    registration.status, registration.decided_at = S.REGISTERED, now
    registration.save(update_fields=["status", "decided_at"])
    audit_record(action="learning.offer.accepted", actor=actor, obj=registration, now=now)
    seats_fill(session, now=now)
    return registration


@transaction.atomic
def offer_decline(
    *, actor: Member, registration: Registration, now: datetime | None = None
) -> Registration:
    if registration.member_id != actor.pk:
        raise NotFound(_("Not found."))
    now = now or timezone.now()
    session, registration = _relocked(registration)
    if registration.status != S.OFFERED:
        raise Conflict(_("There is no open offer on this registration."), code="no_offer")
    registration.status, registration.decided_at = S.DECLINED, now
    registration.save(update_fields=["status", "decided_at"])
    audit_record(action="learning.offer.declined", actor=actor, obj=registration, now=now)
    seats_fill(session, now=now)
    return registration


@transaction.atomic
def session_touch(*, session: Session, now: datetime | None = None) -> Filled:
    """Bring one session up to date: expire its overdue offers and offer the freed seats."""
    return seats_fill(_locked(session), now=now or timezone.now())


def session_refresh(*, session: Session, now: datetime | None = None) -> bool:
    """`session_touch` if the session has an overdue offer (a cheap read otherwise): what pages and
    endpoints call when they show a session. True when something moved."""
    now = now or timezone.now()
    overdue = Registration.objects.filter(
        session=session, status=S.OFFERED, offer_expires_at__lte=now
    )
    if not overdue.exists():
        return False
    session_touch(session=session, now=now)
    return True


def offers_expire(*, now: datetime | None = None) -> tuple[int, int]:
    """Every session (of the current scope) with an overdue offer: (offers expired, offers made).
    One transaction per session, so one busy session does not hold up the rest."""
    now = now or timezone.now()
    overdue = (
        Registration.objects.filter(status=S.OFFERED, offer_expires_at__lte=now)
        .values_list("session_id", flat=True)
        .distinct()
    )
    expired = offered = 0
    for session in Session.objects.filter(pk__in=list(overdue)):
        filled = session_touch(session=session, now=now)
        expired, offered = expired + len(filled.expired), offered + len(filled.offered)
    return expired, offered


# --- forgetting (the privacy app's deletions) ----------------------------------------------------


@transaction.atomic
def registration_notes_forget(*, member: Member) -> int:
    """Blank who a departing member said was coming (often children's names), and end their
    private calendar address; how many registrations had a note."""
    CalendarFeed.objects.filter(member=member).delete()
    return Registration.objects.filter(member=member).exclude(note="").update(note="")
