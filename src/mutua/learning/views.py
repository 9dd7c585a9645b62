"""Workshop pages: programs and sessions, a session's page (register, cancel, accept an offer), my
workshops, the educator's attendance sheet, the month calendar, and the iCalendar feeds.

Thin shells in the aid pages' shape (`web.actions`): every page reads through `selectors`
(which check the rule first) or calls one service, and every POST names its `action`. A
`MutuaError` lands beside the form (400, nothing changed); `NotFound` and `Forbidden` go on to the
error pages, so another community's session does not exist for the viewer.

A session's page and the attendance sheet bring the session up to date when it has an overdue
offer (`services.session_touch`), so an expired offer moves on as soon as anyone looks. The feeds
are the only pages without a sign-in: their secret address is the key (`CalendarFeed`).
"""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mutua.community.models import Member, Organization
from mutua.community.permissions import may, signed_in
from mutua.community.roles import OrganizationKind
from mutua.core.errors import MutuaError, NotFound
from mutua.core.tenancy import community_scope, scopes_disabled
from mutua.learning import forms as learning_forms
from mutua.learning import ics, selectors, services
from mutua.learning.access import school_scope
from mutua.learning.models import CalendarFeed, Registration, RegistrationStatus, Session
from mutua.web.actions import GET_POST, Act, Done, act, page

# --- programs -------------------------------------------------------------------------------------


def _schools_taught(viewer: Member) -> list[Organization]:
    schools = Organization.objects.filter(
        community_id=viewer.tenant_id, kind=OrganizationKind.SCHOOL
    )
    return [s for s in schools if may(viewer, "learning.program.manage", school_scope(s))]


@login_required
@GET_POST
def programs(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    found = selectors.program_list(viewer=viewer)
    schools = _schools_taught(viewer)

    def create(viewer: Member, form: learning_forms.ProgramForm) -> Done:
        program = services.program_create(actor=viewer, **form.service_fields())
        return Done(_("Program added: now plan its sessions."), _program_url(program.pk))

    options = {"schools": Organization.objects.filter(pk__in=[s.pk for s in schools])}
    shown, done = act(
        request, viewer, {"program": Act(learning_forms.ProgramForm, create, options)}
    )
    if done is not None:
        return done
    now = timezone.now()
    recent = selectors.sessions_between(viewer=viewer, since=now - timedelta(days=14), until=now)
    context = {
        "programs": found,
        "sessions": selectors.sessions_upcoming(viewer=viewer)[:20],
        "recent": [
            s for s in recent.order_by("-starts_at") if may(viewer, "learning.roster.view", s)
        ],
        "forms": shown,
        "can_create": bool(schools),
    }
    return page(request, "learning/programs.html", context, *shown.values())


def _program_url(program_id: object) -> str:
    return reverse("learning-program", args=[program_id])


@login_required
@GET_POST
def program(request: HttpRequest, program_id: str) -> HttpResponse:
    viewer = signed_in(request)
    found = selectors.program_get(viewer=viewer, program_id=program_id)

    def plan(viewer: Member, form: learning_forms.SessionForm) -> Done:
        session = services.session_create(actor=viewer, program=found, plan=form.plan())
        return Done(_("Session planned."), reverse("learning-session", args=[session.pk]))

    options = {"community_id": viewer.tenant_id}
    shown, done = act(request, viewer, {"session": Act(learning_forms.SessionForm, plan, options)})
    if done is not None:
        return done
    context = {
        "program": found,
        "sessions": selectors.sessions_upcoming(viewer=viewer, program=found),
        "forms": shown,
        "can_plan": may(viewer, "learning.session.manage", found),
    }
    return page(request, "learning/program.html", context, *shown.values())


# --- one session ----------------------------------------------------------------------------------


def _touched(request: HttpRequest, viewer: Member, session_id: str) -> Session:
    """The session, brought up to date on a GET (a POST's service does it in its own
    transaction, which a refusal rolls back)."""
    session = selectors.session_get(viewer=viewer, session_id=session_id)
    if request.method != "GET":
        return session
    if services.session_refresh(session=session):
        session = selectors.session_get(viewer=viewer, session_id=session_id)
    return session


def _mine(viewer: Member, registration_id: object) -> Registration:
    return selectors.my_registration_get(viewer=viewer, registration_id=str(registration_id))


def _own_acts(url: str) -> dict[str, Act]:
    """What a member does with their own registration, on the session page and on "my workshops"."""

    def cancel(viewer: Member, form: learning_forms.IdForm) -> Done:
        services.registration_cancel(actor=viewer, registration=_mine(viewer, form.value))
        return Done(_("Your place is cancelled. Thank you for freeing it for someone else."), url)

    def accept(viewer: Member, form: learning_forms.IdForm) -> Done:
        services.offer_accept(actor=viewer, registration=_mine(viewer, form.value))
        return Done(_("The seat is yours. See you there!"), url)

    def decline(viewer: Member, form: learning_forms.IdForm) -> Done:
        services.offer_decline(actor=viewer, registration=_mine(viewer, form.value))
        return Done(_("You declined the seat; it goes to the next person in line."), url)

    return {
        "cancel": Act(learning_forms.IdForm, cancel),
        "accept": Act(learning_forms.IdForm, accept),
        "decline": Act(learning_forms.IdForm, decline),
    }


@login_required
@GET_POST
def session(request: HttpRequest, session_id: str) -> HttpResponse:
    viewer = signed_in(request)
    found = _touched(request, viewer, session_id)

    def register(viewer: Member, form: learning_forms.RegisterForm) -> Done:
        made = services.registration_create(actor=viewer, session=found, **form.cleaned_data)
        if made.status == RegistrationStatus.WAITING:
            return Done(_("The session is full: you are on the waitlist."))
        return Done(_("You are registered. See you there!"))

    acts = {"register": Act(learning_forms.RegisterForm, register), **_own_acts(request.path)}
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    mine = selectors.my_registration(viewer=viewer, session=found)
    context = {
        "session": found,
        "seats_left": selectors.seats_left(found),
        "mine": mine,
        "live": mine is not None and mine.status in ("registered", "waiting", "offered"),
        "place": selectors.waiting_place(mine) if mine else None,
        "started": found.starts_at <= timezone.now(),
        "forms": shown,
        "can_roster": may(viewer, "learning.roster.view", found),
    }
    return page(request, "learning/session.html", context, *shown.values())


# --- the attendance sheet -------------------------------------------------------------------------


def _sheet_acts(found: Session) -> dict[str, Act]:
    def check_in(viewer: Member, form: learning_forms.CheckInForm) -> str:
        registration = selectors.registration_in_session(
            session=found, registration_id=str(form.value)
        )
        done = services.attendance_check_in(
            actor=viewer, registration=registration, seats=form.cleaned_data["seats"]
        )
        name = registration.member.display_name
        if done.credit_problem:
            return _("%(name)s is checked in; the credit was not paid: %(why)s") % {
                "name": name,
                "why": done.credit_problem,
            }
        return _("%(name)s is checked in.") % {"name": name}

    def credit(viewer: Member, form: learning_forms.IdForm) -> str:
        attendance = selectors.attendance_in_session(session=found, attendance_id=str(form.value))
        services.attendance_credit_pay(actor=viewer, attendance=attendance)
        return _("The credit is paid.")

    def pay(viewer: Member, form: learning_forms.EmptyForm) -> str:
        services.instructor_pay(actor=viewer, session=found)
        return _("The instructor is paid.")

    def cancel(viewer: Member, form: learning_forms.IdForm) -> str:
        registration = selectors.registration_in_session(
            session=found, registration_id=str(form.value)
        )
        services.registration_cancel(actor=viewer, registration=registration)
        return _("The place is cancelled; the waitlist moved on.")

    return {
        "check_in": Act(learning_forms.CheckInForm, check_in),
        "credit": Act(learning_forms.IdForm, credit),
        "pay": Act(learning_forms.EmptyForm, pay),
        "cancel": Act(learning_forms.IdForm, cancel),
    }


@login_required
@GET_POST
def attendance(request: HttpRequest, session_id: str) -> HttpResponse:
    viewer = signed_in(request)
    found = _touched(request, viewer, session_id)
    sheet = selectors.roster(viewer=viewer, session=found)
    shown, done = act(request, viewer, _sheet_acts(found))
    if done is not None:
        return done
    context = {
        "session": found,
        "sheet": sheet,
        "forms": shown,
        "can_check_in": may(viewer, "learning.attendance.check_in", found),
        "can_pay": may(viewer, "learning.instructor.pay", found) and found.instructor_fee > 0,
        "started": found.starts_at <= timezone.now(),
    }
    return page(request, "learning/attendance.html", context, *shown.values())


# --- my workshops and the calendar ----------------------------------------------------------------


@login_required
@GET_POST
def mine(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)

    def reset(viewer: Member, form: learning_forms.EmptyForm) -> str:
        services.calendar_feed_reset(actor=viewer)
        return _("Your calendar has a new address; the old one no longer works.")

    acts = {**_own_acts(request.path), "feed": Act(learning_forms.EmptyForm, reset)}
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    now = timezone.now()
    registrations = list(selectors.my_registrations(viewer=viewer))
    feed = services.calendar_feed_get(actor=viewer)
    context = {
        "offers": [r for r in registrations if r.status == RegistrationStatus.OFFERED],
        "coming": [
            r
            for r in registrations
            if r.session.ends_at > now and r.status in ("registered", "waiting")
        ],
        "past": [r for r in registrations if r.session.ends_at <= now][:20],
        "attended": selectors.my_attended(viewer=viewer),
        "feed_mine": request.build_absolute_uri(reverse("learning-feed-mine", args=[feed.token])),
        "feed_all": request.build_absolute_uri(
            reverse("learning-feed-community", args=[feed.token])
        ),
        "forms": shown,
    }
    return page(request, "learning/mine.html", context, *shown.values())


def _month(value: str | None) -> date:
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise MutuaError(_("Months are written YYYY-MM."), code="invalid_month") from error


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    month = selectors.month_grid(viewer=viewer, first=_month(request.GET.get("month")))
    context = {"month": month, "today": timezone.localdate()}
    return page(request, "learning/calendar.html", context)


# --- the iCalendar feeds --------------------------------------------------------------------------


def _feed_owner(token: str) -> Member:
    with scopes_disabled():
        feed = CalendarFeed.objects.filter(token=token).select_related("member").first()
    if feed is None or not feed.member.is_active:
        raise NotFound(_("Not found."))
    return feed.member


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def feed_mine(request: HttpRequest, token: str) -> HttpResponse:
    member = _feed_owner(token)
    with community_scope(member.community_id):
        registrations = [
            r
            for r in selectors.my_registrations(viewer=member)
            if r.status in ("registered", "waiting", "offered")
        ]
        name = _("My workshops · %(community)s") % {"community": member.tenant.name}
        body = ics.member_feed(name=str(name), registrations=registrations, now=timezone.now())
    return _ics(body, "my-workshops")


@require_GET
def feed_community(request: HttpRequest, token: str) -> HttpResponse:
    member = _feed_owner(token)
    with community_scope(member.community_id):
        since = timezone.now() - timedelta(days=31)
        sessions = selectors.sessions_upcoming(viewer=member, now=since)
        name = _("Workshops · %(community)s") % {"community": member.tenant.name}
        body = ics.community_feed(name=str(name), sessions=sessions, now=timezone.now())
    return _ics(body, "workshops")
