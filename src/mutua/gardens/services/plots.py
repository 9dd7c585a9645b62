"""Writing the waitlist: applications, offers of a plot, accepting (and paying), declining and
returning.

An offer is an `Assignment` in state `offered`; accepting makes it `active`. The fee is charged on
acceptance, from the member's own wallet to the garden organization's wallet, as one ledger
transfer in the same database transaction as the acceptance: no plot without its fee, no fee
without its plot. A declined or withdrawn offer, or a returned plot, is offered at once to the
next person in line (`waitlist.next_in_line`), in the same transaction.

Every writer of one garden's offers first locks the garden's row, so two stewards (or a steward
and a member returning a plot) never offer one plot twice; the partial unique indexes
(`gardens_plot_once_per_season`, `gardens_one_plot_per_application`) are the backstop.
"""

from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import Member
from mutua.community.permissions import may, require
from mutua.core.errors import Conflict, NotFound, Refused
from mutua.core.ids import new_id
from mutua.core.services import audit_record
from mutua.currency import selectors as currency_selectors
from mutua.gardens.models import (
    LIVE,
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentStatus,
    Garden,
    Plot,
    Season,
)
from mutua.gardens.waitlist import Entry, next_in_line
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferRequest
from mutua.ledger.messages import refusal_raise

FEE_CODE = "garden_plot_fee"


def _already_applied() -> Conflict:
    message = _("You have already applied to this garden for this season.")
    return Conflict(message, code="already_applied", fields={"season": [message]})


@transaction.atomic
def application_create(
    *,
    actor: Member,
    season: Season,
    without_garden: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> Application:
    """A place on the garden's list for `season`; once per member, garden and season."""
    garden = season.garden
    require(actor, "gardens.apply", garden)
    now = now or timezone.now()
    if season.ends < timezone.localdate(now):
        raise Refused(_("This season is over."), code="season_over")
    if Application.objects.filter(season=season, member=actor).exists():
        raise _already_applied()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                community_id=garden.community_id,
                garden=garden,
                season=season,
                member=actor,
                household_id=actor.household_id,
                without_garden=without_garden,
                note=note.strip()[:300],
                created_at=now,
            )
    except IntegrityError as error:  # a second request of the same member, a moment later
        if "gardens_apply_once" in str(error) or "gardens_application.garden_id" in str(error):
            raise _already_applied() from error
        raise
    audit_record(action="gardens.application.created", actor=actor, obj=application)
    return application


@transaction.atomic
def application_withdraw(*, actor: Member, application: Application) -> Application:
    if application.member_id != actor.pk:
        raise NotFound(_("Not found."))
    if application.status != ApplicationStatus.WAITING:
        raise Conflict(_("Only a waiting application can be withdrawn."), code="not_waiting")
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    audit_record(action="gardens.application.withdrawn", actor=actor, obj=application)
    return application


def _lock(garden: Garden) -> None:
    Garden.objects.select_for_update().filter(pk=garden.pk).values_list("pk").first()


def _plot_free(plot: Plot, season: Season) -> bool:
    return not Assignment.objects.filter(plot=plot, season=season, status__in=LIVE).exists()


def _offer(application: Application, plot: Plot, actor: Member | None, now: datetime) -> Assignment:
    assignment = Assignment.objects.create(
        community_id=application.community_id,
        season_id=application.season_id,
        plot=plot,
        application=application,
        member_id=application.member_id,
        fee=application.garden.plot_fee,
        offered_by=actor,
        offered_at=now,
    )
    application.status = ApplicationStatus.OFFERED
    application.save(update_fields=["status"])
    audit_record(action="gardens.plot.offered", actor=actor, obj=assignment)
    return assignment


@transaction.atomic
def plot_offer(
    *, actor: Member, application: Application, plot: Plot, now: datetime | None = None
) -> Assignment:
    """A steward offers a free plot of the season to a waiting applicant."""
    garden = application.garden
    require(actor, "gardens.assign", garden)
    if plot.garden_id != garden.pk:
        raise NotFound(_("Not found."))
    _lock(garden)
    application.refresh_from_db(fields=["status"])
    if application.status != ApplicationStatus.WAITING:
        raise Conflict(
            _("This application is not waiting for a plot any more."), code="not_waiting"
        )
    if not _plot_free(plot, application.season):
        raise Conflict(
            _("Plot %(label)s is already taken or offered this season.") % {"label": plot.label},
            code="plot_taken",
            fields={"plot": [_("This plot is taken this season.")]},
        )
    return _offer(application, plot, actor, now or timezone.now())


def offer_next(
    *, garden: Garden, season: Season, plot: Plot, actor: Member | None, now: datetime
) -> Assignment | None:
    """Offer a freed plot to the first waiting entry of the list; the caller holds the lock."""
    applications = {a.id: a for a in Application.objects.filter(season=season, garden=garden)}
    entries = [
        Entry(a.id, a.created_at, a.without_garden, a.status == ApplicationStatus.WAITING)
        for a in applications.values()
    ]
    first = next_in_line(entries, household_priority=garden.household_priority)
    if first is None or not _plot_free(plot, season):
        return None
    return _offer(applications[first.id], plot, actor, now)


def _pay_fee(assignment: Assignment, member: Member, garden: Garden) -> UUID:
    """The member's wallet pays the garden's; refused (nothing accepted) if either is missing or
    the member's balance is short."""
    currency = currency_selectors.currency_of(garden.organization.community)
    source = currency_selectors.wallet_of(currency=currency, member=member)
    if source is None:
        raise Refused(
            _("You have no wallet yet: ask the credit union to open one."), code="no_wallet"
        )
    target = currency_selectors.wallet_of(currency=currency, organization=garden.organization)
    if target is None:
        raise Refused(
            _("%(garden)s has no local-dollar wallet to be paid into.") % {"garden": garden.name},
            code="no_wallet",
        )
    transfer_id = new_id()
    refusal_raise(
        ledger.transfer_create(
            community=garden.organization.community,
            request=TransferRequest(
                id=transfer_id,
                debit_account_id=source.id,
                credit_account_id=target.id,
                amount=assignment.fee,
                code=FEE_CODE,
                memo=_("Plot %(plot)s, %(season)s")
                % {"plot": assignment.plot.label, "season": assignment.season.name},
            ),
            actor=member,
        )
    )
    return transfer_id


def _decidable(actor: Member, assignment: Assignment) -> Garden:
    if assignment.member_id != actor.pk:
        raise NotFound(_("Not found."))
    garden = assignment.application.garden
    _lock(garden)
    assignment.refresh_from_db(fields=["status"])
    if assignment.status != AssignmentStatus.OFFERED:
        raise Conflict(_("This offer was already answered."), code="offer_decided")
    return garden


@transaction.atomic
def offer_accept(
    *, actor: Member, assignment: Assignment, now: datetime | None = None
) -> Assignment:
    """The member takes the plot, and pays its fee if the garden charges one."""
    garden = _decidable(actor, assignment)
    if assignment.fee > 0:
        assignment.transfer_id = _pay_fee(assignment, actor, garden)
    assignment.status = AssignmentStatus.ACTIVE
    assignment.decided_at = now or timezone.now()
    assignment.save(update_fields=["status", "decided_at", "transfer_id"])
    Application.objects.filter(pk=assignment.application_id).update(
        status=ApplicationStatus.ASSIGNED
    )
    audit_record(
        action="gardens.plot.accepted", actor=actor, obj=assignment, data={"fee": assignment.fee}
    )
    return assignment


@transaction.atomic
def offer_decline(
    *, actor: Member, assignment: Assignment, now: datetime | None = None
) -> Assignment | None:
    """The member says no; the plot goes to the next in line. Returns that new offer, if any."""
    garden = _decidable(actor, assignment)
    now = now or timezone.now()
    assignment.status, assignment.decided_at = AssignmentStatus.DECLINED, now
    assignment.save(update_fields=["status", "decided_at"])
    Application.objects.filter(pk=assignment.application_id).update(
        status=ApplicationStatus.DECLINED
    )
    audit_record(action="gardens.plot.declined", actor=actor, obj=assignment)
    return offer_next(
        garden=garden, season=assignment.season, plot=assignment.plot, actor=None, now=now
    )


@transaction.atomic
def offer_withdraw(
    *, actor: Member, assignment: Assignment, now: datetime | None = None
) -> Assignment | None:
    """A steward takes back an offer nobody answered; the application has had its turn and the
    plot goes to the next in line. Returns that new offer, if any."""
    garden = assignment.application.garden
    require(actor, "gardens.assign", garden)
    _lock(garden)
    assignment.refresh_from_db(fields=["status"])
    if assignment.status != AssignmentStatus.OFFERED:
        raise Conflict(_("This offer was already answered."), code="offer_decided")
    now = now or timezone.now()
    assignment.status, assignment.decided_at = AssignmentStatus.WITHDRAWN, now
    assignment.save(update_fields=["status", "decided_at"])
    Application.objects.filter(pk=assignment.application_id).update(status=ApplicationStatus.LAPSED)
    audit_record(action="gardens.plot.offer_withdrawn", actor=actor, obj=assignment)
    return offer_next(
        garden=garden, season=assignment.season, plot=assignment.plot, actor=actor, now=now
    )


@transaction.atomic
def plot_return(
    *, actor: Member, assignment: Assignment, now: datetime | None = None
) -> Assignment | None:
    """The holder (or a steward) gives the plot back; it is offered to the next in line.
    The season's fee is not refunded: the garden decides that, and pays it back by hand."""
    garden = assignment.application.garden
    if assignment.member_id != actor.pk:
        require(actor, "gardens.assign", garden)
    _lock(garden)
    assignment.refresh_from_db(fields=["status"])
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(_("Only a plot in use can be returned."), code="not_active")
    now = now or timezone.now()
    assignment.status, assignment.decided_at = AssignmentStatus.RETURNED, now
    assignment.save(update_fields=["status", "decided_at"])
    Application.objects.filter(pk=assignment.application_id).update(
        status=ApplicationStatus.RETURNED
    )
    audit_record(action="gardens.plot.returned", actor=actor, obj=assignment)
    by = actor if may(actor, "gardens.assign", garden) else None
    return offer_next(
        garden=garden, season=assignment.season, plot=assignment.plot, actor=by, now=now
    )


# --- forgetting (the privacy app's deletions) ----------------------------------------------------


@transaction.atomic
def application_notes_forget(*, member: Member) -> int:
    """Blank what a departing member wrote on their plot applications; how many had a note."""
    return Application.objects.filter(member=member).exclude(note="").update(note="")
