"""iCalendar (RFC 5545) feeds of sessions, written with the `icalendar` package.

One event per session: its id is the event's UID (stable, so a calendar app updates the event
instead of adding a second one when a session moves), times are in UTC, and the description says
the language, childcare and access notes. A member's own feed marks waitlisted and offered places
as tentative and says so in the title; the community feed lists every session from a month back.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from mutua.learning.models import Registration, RegistrationStatus, Session

PRODUCT = "-//Mutua//Workshops//EN"


def _description(session: Session) -> str:
    lines = [
        session.program.description,
        _("Language: %(language)s") % {"language": session.language},
    ]
    if session.childcare:
        lines.append(_("Childcare is offered."))
    if session.accessibility:
        lines.append(_("Access: %(notes)s") % {"notes": session.accessibility})
    return "\n".join(str(line) for line in lines if line)


def _event(session: Session, *, stamp: datetime, title: str, tentative: bool = False) -> Event:
    event = Event()
    event.add("uid", f"{session.pk}@mutua")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", title)
    event.add("location", session.place)
    event.add("description", _description(session))
    event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    return event


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def community_feed(*, name: str, sessions: Iterable[Session], now: datetime) -> bytes:
    cal = _calendar(name)
    for session in sessions:
        cal.add_component(_event(session, stamp=now, title=session.program.title))
    return cal.to_ical()


def member_feed(*, name: str, registrations: Iterable[Registration], now: datetime) -> bytes:
    cal = _calendar(name)
    titles = {
        RegistrationStatus.WAITING: _("%(title)s (on the waitlist)"),
        RegistrationStatus.OFFERED: _("%(title)s (seat offered: accept it)"),
    }
    for registration in registrations:
        session = registration.session
        template = titles.get(registration.status)  # type: ignore[call-overload]
        title = template % {"title": session.program.title} if template else session.program.title
        cal.add_component(
            _event(session, stamp=now, title=str(title), tentative=template is not None)
        )
    return cal.to_ical()
