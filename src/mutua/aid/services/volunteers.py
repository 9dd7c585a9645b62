"""Writing volunteer work: shifts (packing, driving, pantry), signing up and leaving, hours logged.

Hours are append-only (`HoursLog`): a correction is a new entry, and the report sums them. A
shift holds at most `places` volunteers; the count is checked under a lock on the shift row.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.aid.access import aid_require
from mutua.aid.models import HoursLog, Shift, ShiftKind, ShiftSignup
from mutua.community.models import Community, Member
from mutua.core.errors import Conflict, Refused, problems_raise


@transaction.atomic
def shift_create(
    *,
    actor: Member,
    community: Community,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    places: int,
) -> Shift:
    aid_require(actor, "aid.shift.manage", community)
    problems: dict[str, list[str]] = {}
    if kind not in ShiftKind.values:
        problems["kind"] = [_("Choose packing, driving or pantry.")]
    if ends_at <= starts_at:
        problems["ends_at"] = [_("A shift ends after it starts.")]
    if places < 1:
        problems["places"] = [_("A shift has at least one place.")]
    problems_raise(problems, "invalid_shift")
    return Shift.objects.create(
        community=community, kind=kind, starts_at=starts_at, ends_at=ends_at, places=places
    )


@transaction.atomic
def shift_join(*, actor: Member, shift: Shift, now: datetime | None = None) -> ShiftSignup:
    aid_require(actor, "aid.shift.join", shift)
    locked = Shift.objects.select_for_update().get(pk=shift.pk)
    if locked.ends_at <= (now or timezone.now()):
        raise Refused(_("This shift is over."), code="shift_over")
    if locked.signups.count() >= locked.places:
        raise Refused(_("This shift is full."), code="shift_full")
    try:
        with transaction.atomic():
            return ShiftSignup.objects.create(shift=locked, member=actor)
    except IntegrityError as error:
        raise Conflict(_("You are already signed up for this shift."), code="signed_up") from error


@transaction.atomic
def shift_leave(*, actor: Member, shift: Shift) -> None:
    aid_require(actor, "aid.shift.join", shift)
    deleted, _rows = ShiftSignup.objects.filter(shift=shift, member=actor).delete()
    if not deleted:
        raise Refused(_("You are not signed up for this shift."), code="not_signed_up")


@transaction.atomic
def hours_log(
    *,
    actor: Member,
    day: date,
    minutes: int,
    kind: str,
    shift: Shift | None = None,
    note: str = "",
    today: date | None = None,
) -> HoursLog:
    """A volunteer logs time they gave (today or earlier, up to a day at a time)."""
    aid_require(actor, "aid.shift.join", actor.community)
    problems: dict[str, list[str]] = {}
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= 24 * 60:
        problems["minutes"] = [_("Between 1 minute and 24 hours.")]
    if day > (today or timezone.localdate()):
        problems["day"] = [_("Log hours once they are worked.")]
    if kind not in ShiftKind.values:
        problems["kind"] = [_("Choose packing, driving or pantry.")]
    if shift is not None and shift.community_id != actor.community_id:
        problems["shift"] = [_("Unknown shift.")]
    problems_raise(problems, "invalid_hours")
    return HoursLog.objects.create(
        community_id=actor.tenant_id,
        member=actor,
        shift=shift,
        kind=kind,
        day=day,
        minutes=minutes,
        note=note[:200],
    )
