"""Retention: personal details are kept as long as they serve the person, then forgotten.

Three rules, each a number of days in the settings (`MUTUA_RETAIN_*`, see `mutua.settings`):

- **Delivery addresses** (`delivery_address_days`, 30): a delivery stop carries a copy of its
  household's cross streets, for the route sheet. It is blanked that many days after the delivery
  (or after the route's day, if the stop was never marked delivered). The full address lives only
  in the household's needs and goes by the next rule.
- **Health needs** (`health_needs_days`, 180): a household's needs (diets, allergens, the urgent
  medical flag, notes, address and where it is) are blanked that many days after its last request
  closed, when it has no open request and nobody has edited the needs since. The same clock blanks
  the notes of closed requests, which may say what someone is ill with. Six months, not one: a
  household that asks every few weeks should not have to tell the pantry about its allergies each
  time, and one that has not asked for half a year can say them again.
- **Mail** (`mail_days`, 14): a mail that left (or failed) stays in the queue table with its
  address and text, for the operator to look into; that many days later the row goes.

`retention_apply` runs for one community (inside its scope) and `mail_apply` once for the
platform. Both take `now`, so tests move the clock instead of waiting. Each rule counts only what
still holds personal text, so a second run finds nothing: applying twice is the same as once. What
was done is counted in one audit entry per community (counts, never the data); a dry run writes
nothing at all.
"""

from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mutua.aid import services as aid
from mutua.aid.models import AidRequest, DeliveryStop, RequestStatus
from mutua.community import services as community_services
from mutua.community.models import Community, Household
from mutua.core.services import audit_record
from mutua.core.tasks import email_send

CLOSED = (RequestStatus.FULFILLED, RequestStatus.CANCELLED)


class Policy(NamedTuple):
    delivery_address_days: int
    health_needs_days: int
    mail_days: int


class Applied(NamedTuple):
    """How many records each rule forgot (or, in a dry run, would forget)."""

    stop_addresses: int = 0
    household_needs: int = 0
    request_notes: int = 0

    def total(self) -> int:
        return sum(self)


def policy_from_settings() -> Policy:
    return Policy(
        delivery_address_days=settings.MUTUA_RETAIN_DELIVERY_ADDRESS_DAYS,
        health_needs_days=settings.MUTUA_RETAIN_HEALTH_NEEDS_DAYS,
        mail_days=settings.MUTUA_RETAIN_MAIL_DAYS,
    )


def _stops_past(community: Community, cutoff: datetime) -> list[UUID]:
    stops = DeliveryStop.objects.filter(route__community=community).exclude(cross_streets="")
    past = Q(delivered_at__lt=cutoff) | Q(delivered_at__isnull=True, route__day__lt=cutoff.date())
    return list(stops.filter(past).values_list("pk", flat=True))


def _households_past(community: Community, cutoff: datetime) -> list[UUID]:
    """Households with no open request whose last request event and needs edit are older."""
    households = (
        Household.objects.filter(community=community, needs__updated_at__lt=cutoff)
        .exclude(aid_requests__status__in=[s for s in RequestStatus.values if s not in CLOSED])
        .annotate(last_event=Max("aid_requests__events__at"))
        .filter(Q(last_event__isnull=True) | Q(last_event__lt=cutoff))
    )
    return list(households.values_list("pk", flat=True))


def _requests_past(community: Community, cutoff: datetime) -> list[UUID]:
    closed = (
        AidRequest.objects.filter(community=community, status__in=CLOSED)
        .exclude(note="")
        .annotate(last_event=Max("events__at"))
        .filter(last_event__lt=cutoff)
    )
    return list(closed.values_list("pk", flat=True))


@transaction.atomic
def retention_apply(
    *, community: Community, policy: Policy, now: datetime, dry_run: bool = False
) -> Applied:
    """Forget what is past retention in one community (call inside its scope)."""
    health_cutoff = now - timedelta(days=policy.health_needs_days)
    applied = Applied(
        stop_addresses=aid.stop_addresses_forget(
            stop_ids=_stops_past(community, now - timedelta(days=policy.delivery_address_days)),
            dry_run=dry_run,
        ),
        household_needs=community_services.household_needs_forget(
            household_ids=_households_past(community, health_cutoff), now=now, dry_run=dry_run
        ),
        request_notes=aid.request_notes_forget(
            request_ids=_requests_past(community, health_cutoff), dry_run=dry_run
        ),
    )
    if applied.total() and not dry_run:
        audit_record(
            action="privacy.retention.applied",
            community_id=community.id,
            data={**applied._asdict(), "policy": policy._asdict()},
            now=now,
        )
    return applied


FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@transaction.atomic
def mail_apply(*, policy: Policy, now: datetime, dry_run: bool = False) -> int:
    """Delete mails that left (or failed) longer ago than the policy allows; how many."""
    old = DBTaskResult.objects.filter(
        task_path=email_send.module_path,
        status__in=FINISHED,
        finished_at__lt=now - timedelta(days=policy.mail_days),
    )
    if dry_run:
        return old.count()
    count, _by_model = old.delete()
    if count:
        audit_record(
            action="privacy.retention.mail_deleted",
            data={"mails": count, "days": policy.mail_days},
            now=now,
        )
    return count
