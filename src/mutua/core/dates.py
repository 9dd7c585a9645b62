"""Dates and times that people type: the span Mutua takes, refused in one place where they enter.

Python's dates run from 0001-01-01 to 9999-12-31. A report window that ends on the last day
overflows as soon as it is widened to the next midnight, and `0001-01-01T00:00+05:00` lies in year
0 once the database converts it to UTC: both were 500s, found by the API fuzzer. No food expires,
no shift starts and no ledger line was written outside 1900 to 2999, so a date outside that span is
a typo and gets a clear error, on the pages (`day_param`) and in the API (`mutua.api.Day`,
`mutua.api.Instant`) alike.
"""

from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


class OutOfSpan(ValueError):
    def __init__(self) -> None:
        super().__init__(f"dates lie between {EARLIEST} and {LATEST}")


def span_told() -> str:
    """What a page says of a date outside the span, in the reader's language."""
    return _("Dates lie between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST,
        "latest": LATEST,
    }


def plausible_day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise OutOfSpan
    return value


def plausible_instant(value: datetime) -> datetime:
    """The same instant, aware and in UTC; a time without an offset is in the server's time zone."""
    if not EARLIEST <= value.date() <= LATEST:
        raise OutOfSpan
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    value = value.astimezone(UTC)
    plausible_day(value.date())
    return value
