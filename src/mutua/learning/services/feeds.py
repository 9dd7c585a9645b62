"""A member's secret calendar address (`CalendarFeed`): made on first use, replaced on demand.

The token is 32 random bytes (URL-safe); whoever holds the address reads the member's own
workshops and the community's sessions, and nothing else. Replacing it makes the old address stop
working at once.
"""

import secrets

from django.db import transaction

from mutua.community.models import Member
from mutua.core.services import audit_record
from mutua.learning.models import CalendarFeed


def _token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_get(*, actor: Member) -> CalendarFeed:
    found = CalendarFeed.objects.filter(member=actor).first()
    if found is not None:
        return found
    return CalendarFeed.objects.create(community_id=actor.tenant_id, member=actor, token=_token())


@transaction.atomic
def calendar_feed_reset(*, actor: Member) -> CalendarFeed:
    feed = calendar_feed_get(actor=actor)
    feed.token = _token()
    feed.save(update_fields=["token"])
    audit_record(action="learning.calendar_feed.reset", actor=actor, obj=feed)
    return feed
