"""A member's request to be forgotten, and what became of it.

A **deletion request** is pending until an admin of the member's community carries it out (the
member's personal details go, see `services.deletion_carry_out`) or the member withdraws it. It
holds no personal text of its own (no reason, no message): only who asked, when, and who decided,
so it can outlive the deletion as the record that it happened.

Database invariants: a member has at most one pending request; a request is decided once (a
pending request has no decision time, a decided one has one).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.community.models import Community
from mutua.core.ids import new_id
from mutua.core.tenancy import CommunityScopedManager


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an admin")
    DONE = "done", _("Carried out")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeletionRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletion_requests"
    )
    status = models.CharField(
        max_length=10, choices=DeletionStatus.choices, default=DeletionStatus.PENDING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: "models.Manager[DeletionRequest]" = CommunityScopedManager()

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeletionStatus.values), name="privacy_deletion_status"
            ),
            models.CheckConstraint(
                condition=Q(status=DeletionStatus.PENDING, decided_at__isnull=True)
                | ~Q(status=DeletionStatus.PENDING) & Q(decided_at__isnull=False),
                name="privacy_deletion_decided_once",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status=DeletionStatus.PENDING),
                name="privacy_one_pending_deletion",
            ),
        ]

    def __str__(self) -> str:
        return f"deletion of {self.member_id} ({self.status})"
