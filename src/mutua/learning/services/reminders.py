"""Reminder mail: registrants of sessions starting within the next hours are reminded, once.

Each reminder is recorded (`Reminder`, one per registration, append-only) in the same transaction
that sends it, before the mail leaves: if two runs overlap, the second one's insert fails on the
unique registration and it sends nothing. A mail server that fails makes that registration's
transaction roll back, so the next run tries it again; a mail that left but whose commit failed
is the one way a reminder could go twice, and that window is a single insert wide. Registrants
without an email address are recorded as reminded (there is nothing to retry). Each mail is
written in the registrant's preferred language.
"""

from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutua.learning.models import Registration, RegistrationStatus, Reminder


def _due(now: datetime, hours: int) -> list[Registration]:
    return list(
        Registration.objects.filter(
            status=RegistrationStatus.REGISTERED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + timedelta(hours=hours),
            reminder__isnull=True,
        ).select_related("member", "session", "session__program")
    )


def _message(registration: Registration) -> tuple[str, str]:
    session = registration.session
    when = timezone.localtime(session.starts_at)
    subject = _("Reminder: %(title)s on %(day)s at %(time)s") % {
        "title": session.program.title,
        "day": when.strftime("%Y-%m-%d"),
        "time": when.strftime("%H:%M"),
    }
    lines = [
        _("Hello %(name)s,") % {"name": registration.member.display_name},
        "",
        _("You are registered for %(title)s (%(seats)s seats).")
        % {"title": session.program.title, "seats": registration.seats},
        _("When: %(day)s %(start)s to %(end)s")
        % {
            "day": when.strftime("%Y-%m-%d"),
            "start": when.strftime("%H:%M"),
            "end": timezone.localtime(session.ends_at).strftime("%H:%M"),
        },
        _("Where: %(place)s") % {"place": session.place},
        _("Language: %(language)s") % {"language": session.language},
    ]
    if session.childcare:
        lines.append(_("Childcare is offered."))
    if session.accessibility:
        lines.append(_("Access: %(notes)s") % {"notes": session.accessibility})
    lines += [
        "",
        _(
            "If you cannot come, please cancel on your workshops page: "
            "someone on the waitlist will get your seat."
        ),
    ]
    return str(subject), "\n".join(str(line) for line in lines)


def reminders_send(*, hours: int = 24, now: datetime | None = None) -> int:
    """Remind every registrant (of the current scope) whose session starts within `hours`; the
    number of reminders recorded."""
    now = now or timezone.now()
    sent = 0
    for registration in _due(now, hours):
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    community_id=registration.community_id, registration=registration, sent_at=now
                )
                if registration.member.email:
                    with translation.override(registration.member.preferred_language):
                        subject, body = _message(registration)
                    send_mail(subject, body, None, [registration.member.email])
        except IntegrityError:
            continue  # another run reminded this registration already
        sent += 1
    return sent
