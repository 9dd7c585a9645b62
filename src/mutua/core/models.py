"""The audit log: who did what to which object, when; append-only and hash-chained.

Each community has its own chain (`chain` = the community id; platform-level events use
"platform"), numbered 1, 2, 3 ... by `seq`. The database refuses UPDATE and DELETE of entries
(triggers, see migration 0001) and refuses two entries with the same place in a chain (unique
constraint), so two writers racing for the same place cannot fork the chain: one of them fails and
retries. `mutua audit verify` recomputes every hash.

Actors and objects are stored as ids and labels, not foreign keys, so the log outlives what it talks
about (a member's later deletion must not edit the log).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mutua.core.ids import new_id

PLATFORM_CHAIN = "platform"


class AuditEntry(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    chain = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    community_id = models.UUIDField(null=True, blank=True)
    actor_id = models.UUIDField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_one_entry_per_place"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive"),
        ]
        indexes = [models.Index(fields=["community_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    def content(self) -> dict[str, object]:
        """What the hash covers: everything but the chain bookkeeping itself."""
        return {
            "chain": self.chain,
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "community_id": str(self.community_id) if self.community_id else None,
            "actor_id": str(self.actor_id) if self.actor_id else None,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "data": self.data,
        }
