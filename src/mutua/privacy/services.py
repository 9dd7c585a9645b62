"""Writes of the privacy app: asking to be forgotten, withdrawing, and carrying it out.

The process, as a small organization would run it:

1. A member asks (`deletion_request`). The request is refused at once, with every reason, while
   something cannot be left with a person who no longer exists (`selectors.deletion_blockers`:
   money in or owed by their wallet, a hold, an open order, an edition they hold, an open aid
   request, a plot, a workshop seat, being the last admin). Otherwise it waits.
2. The member may withdraw it while it waits (`deletion_withdraw`).
3. An admin of the community carries it out (`deletion_carry_out`), after checking the blockers
   again (things change while a request waits). A person decides, not a timer: an admin can ring
   the member first, and nobody is forgotten because a cron job ran.

Carrying it out is one transaction. Personal details go: name, handle, email, phone (the member
becomes "Former member #<8 hex>"), their household's name and needs if nobody else lives there,
their notes on requests, offers, applications, registrations and vouchers, their artist's
statement, their calendar address, the mails to them still in the queue; their login is disabled,
their tokens revoked, their sessions ended, their roles removed. What they did stays, under the
pseudonym: ledger accounts (renamed and closed, balance zero) and every transfer, orders, sales,
hand-offs and the provenance log, the audit log. No append-only row is touched, so
`mutua ledger verify`, `mutua audit verify` and `mutua art verify` stay clean.

Errors: `Refused` (`deletion_blocked`, with a `blockers` field listing every reason), `Conflict`
(`deletion_pending` when one already waits, `deletion_decided` when it was decided),
`Forbidden`/`NotFound` from `permissions.require`.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mutua.aid import services as aid
from mutua.aid.models import AidRequest, DeliveryStop
from mutua.art import services as art
from mutua.community import services as community
from mutua.community.models import Member
from mutua.community.permissions import require
from mutua.coop import services as coop
from mutua.core.errors import Conflict, NotFound, Refused
from mutua.core.services import audit_record
from mutua.core.tasks import email_send
from mutua.gardens import services as gardens
from mutua.learning import services as learning
from mutua.ledger import services as ledger
from mutua.ledger.models import Account
from mutua.privacy.models import DeletionRequest, DeletionStatus
from mutua.privacy.selectors import deletion_blockers, deletion_request_pending


def _blockers_raise(member: Member) -> None:
    blockers = deletion_blockers(member)
    if blockers:
        raise Refused(
            _("Your data cannot be deleted yet: %(reasons)s")
            % {"reasons": " ".join(b.message for b in blockers)},
            code="deletion_blocked",
            fields={"blockers": [b.message for b in blockers]},
        )


@transaction.atomic
def deletion_request(*, member: Member, now: datetime | None = None) -> DeletionRequest:
    """The member asks to be forgotten; refused while something stands in the way."""
    community_id = member.tenant_id  # NotFound for a platform operator: they belong to none
    if deletion_request_pending(member) is not None:
        raise Conflict(_("Your request is already waiting for an admin."), code="deletion_pending")
    _blockers_raise(member)
    asked = DeletionRequest.objects.create(
        community_id=community_id, member=member, requested_at=now or timezone.now()
    )
    audit_record(action="privacy.deletion.requested", actor=member, obj=asked, now=now)
    return asked


def _decide(asked: DeletionRequest, status: DeletionStatus, by: Member, now: datetime) -> None:
    locked = DeletionRequest.objects.select_for_update().get(pk=asked.pk)
    if locked.status != DeletionStatus.PENDING:
        raise Conflict(_("This request was decided already."), code="deletion_decided")
    asked.status, asked.decided_at, asked.decided_by = status, now, by
    asked.save(update_fields=["status", "decided_at", "decided_by"])


@transaction.atomic
def deletion_withdraw(
    *, member: Member, asked: DeletionRequest, now: datetime | None = None
) -> DeletionRequest:
    """The member changes their mind while the request waits."""
    if asked.member_id != member.pk:
        raise NotFound(_("Not found."))
    _decide(asked, DeletionStatus.WITHDRAWN, member, now or timezone.now())
    audit_record(action="privacy.deletion.withdrawn", actor=member, obj=asked, now=now)
    return asked


def mails_forget(*, email: str) -> int:
    """Delete the queued and sent mails to this address (their text names the person); a mail
    being sent right now is left to finish. How many went."""
    if not email:
        return 0
    mails = DBTaskResult.objects.filter(task_path=email_send.module_path).exclude(
        status=TaskResultStatus.RUNNING
    )
    addressed = [
        mail.pk
        for mail in mails.only("pk", "args_kwargs").iterator()
        if email.lower() in (to.lower() for to in mail.args_kwargs.get("kwargs", {}).get("to", []))
    ]
    return DBTaskResult.objects.filter(pk__in=addressed).delete()[0]


def _details_forget(member: Member, now: datetime) -> dict[str, int]:
    """Every app forgets what the member wrote or was written about them; counts per kind."""
    household = member.household
    alone = household is not None and not household.members.exclude(pk=member.pk).exists()
    request_ids = (
        list(AidRequest.objects.filter(household=household).values_list("pk", flat=True))
        if alone
        else []
    )
    label = community.former_label(member)
    for account in Account.objects.filter(member=member):
        ledger.account_rename(
            account=account, name=f"Former member #{label}", code=f"member-former-{label}"
        )
        ledger.account_close(account=account)
    return {
        "mails": mails_forget(email=member.email),
        "request_notes": aid.request_notes_forget(request_ids=request_ids),
        "stop_addresses": aid.stop_addresses_forget(
            stop_ids=list(
                DeliveryStop.objects.filter(request_id__in=request_ids).values_list("pk", flat=True)
            )
        ),
        "offers": aid.offers_forget(member=member),
        "voucher_reasons": coop.voucher_reasons_forget(member=member),
        "application_notes": gardens.application_notes_forget(member=member),
        "registration_notes": learning.registration_notes_forget(member=member),
        "artist_statement": int(art.artist_statement_forget(member=member)),
    }


@transaction.atomic
def deletion_carry_out(
    *, actor: Member, asked: DeletionRequest, now: datetime | None = None
) -> DeletionRequest:
    """An admin carries the request out: the member's personal details go, their history stays."""
    require(actor, "privacy.deletion.decide", asked)
    now = now or timezone.now()
    member = Member.objects.select_for_update().get(pk=asked.member_id)
    _blockers_raise(member)
    _decide(asked, DeletionStatus.DONE, actor, now)
    counts = _details_forget(member, now)
    community.member_forget(member=member, now=now)
    audit_record(
        action="privacy.deletion.carried_out", actor=actor, obj=asked, data=counts, now=now
    )
    return asked
