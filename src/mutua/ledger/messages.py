"""What each transfer result means, in words a member understands (translated)."""

from django.utils.translation import gettext_lazy as _

from mutua.core.errors import Conflict, Refused
from mutua.ledger.domain import Result, TransferOutcome

MESSAGES = {
    Result.OK: _("Done."),
    Result.EXISTS: _("This transfer was already made; nothing was done twice."),
    Result.ID_CONFLICT: _("That id was already used for another transfer."),
    Result.LINKED_EVENT_FAILED: _("Not made, because another transfer of the same batch failed."),
    Result.AMOUNT_MUST_BE_POSITIVE: _("The amount must be more than zero."),
    Result.ACCOUNTS_MUST_BE_DIFFERENT: _("An account cannot pay itself."),
    Result.ACCOUNT_NOT_FOUND: _("One of the accounts does not exist."),
    Result.LEDGER_MISMATCH: _("The two accounts hold different currencies."),
    Result.ACCOUNT_CLOSED: _("One of the accounts is closed."),
    Result.EXCEEDS_CREDIT_LIMIT: _(
        "There is not enough money in the account, credit line included."
    ),
    Result.PENDING_NOT_FOUND: _("There is no such hold."),
    Result.PENDING_ALREADY_RESOLVED: _("This hold was already charged or released."),
    Result.PENDING_EXPIRED: _("This hold has expired and was released."),
    Result.EXCEEDS_PENDING_AMOUNT: _("You cannot charge more than was held."),
    Result.ORIGINAL_NOT_FOUND: _("There is no such transfer to reverse."),
    Result.EXCEEDS_ORIGINAL_AMOUNT: _("You cannot give back more than was paid."),
    Result.TIMEOUT_INVALID: _("A time limit only applies to holds, and must be under a year."),
}


def result_message(result: Result) -> str:
    return str(MESSAGES[result])


def refusal_raise(outcome: TransferOutcome) -> None:
    """Raise the error of a transfer that was neither made now nor made before (`ok`, `exists`):
    `Conflict` for a reused id, `Refused` for the rest, with the result as its code."""
    if outcome.result in (Result.OK, Result.EXISTS):
        return
    error = Conflict if outcome.result == Result.ID_CONFLICT else Refused
    raise error(result_message(outcome.result), code=str(outcome.result))


def linked_refusal_raise(outcomes: list[TransferOutcome]) -> None:
    """Raise the error of the transfer that made a linked batch fail (the others only followed
    it with `linked_event_failed`); nothing if every transfer was made."""
    for outcome in outcomes:
        if outcome.result != Result.LINKED_EVENT_FAILED:
            refusal_raise(outcome)
