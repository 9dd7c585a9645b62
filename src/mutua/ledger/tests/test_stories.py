"""Worked examples: the ledger told as the community lives it."""

import pytest
from django.core.management import call_command

from mutua.core.ids import new_id
from mutua.ledger.domain import Kind, Result
from mutua.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db


def test_ana_is_issued_local_dollars_and_buys_bread(books) -> None:
    assert books.pay(books.issuance, books.ana, 10_000) == Result.OK  # 100.00 LD issued to Ana
    assert books.pay(books.ana, books.bakery, 450) == Result.OK  # a loaf for 4.50
    assert (books.balance(books.ana), books.balance(books.bakery)) == (9_550, 450)
    assert books.balance(books.issuance) == -10_000  # what is outstanding
    assert ledger_verify() == []


def test_ana_cannot_spend_what_she_does_not_have_but_the_bakery_has_a_credit_line(books) -> None:
    books.pay(books.issuance, books.ana, 1_000)
    assert books.pay(books.ana, books.ben, 1_001) == Result.EXCEEDS_CREDIT_LIMIT
    assert books.balance(books.ana) == 1_000
    assert books.pay(books.bakery, books.ben, 5_000) == Result.OK  # uses the whole line
    assert books.pay(books.bakery, books.ben, 1) == Result.EXCEEDS_CREDIT_LIMIT
    assert books.balance(books.bakery) == -5_000


def test_a_co_op_order_holds_money_then_charges_what_was_delivered(books) -> None:
    books.pay(books.issuance, books.ana, 3_000)
    hold = new_id()
    assert books.pay(books.ana, books.bakery, 2_000, kind=Kind.PENDING, id=hold) == Result.OK
    books.ana.refresh_from_db()
    assert (books.ana.balance_posted, books.ana.available) == (3_000, 1_000)
    assert books.pay(books.ana, books.ben, 1_500) == Result.EXCEEDS_CREDIT_LIMIT  # held money
    assert books.act(Kind.POST, hold, 1_800) == Result.OK  # one item was missing
    assert (books.balance(books.ana), books.balance(books.bakery)) == (1_200, 1_800)
    books.ana.refresh_from_db()
    assert books.ana.debits_pending == 0  # the other 2.00 are released
    assert books.act(Kind.VOID, hold) == Result.PENDING_ALREADY_RESOLVED
    assert ledger_verify() == []


def test_a_hold_that_times_out_is_released_by_the_expiry_command(books) -> None:
    from datetime import timedelta

    from django.utils import timezone

    books.pay(books.issuance, books.ana, 1_000)
    hold = new_id()
    books.pay(books.ana, books.bakery, 700, kind=Kind.PENDING, id=hold, timeout_seconds=60)
    from mutua.ledger.services import pending_expire

    later = timezone.now() + timedelta(minutes=2)
    assert pending_expire(community=books.community, now=later) == 1
    assert pending_expire(community=books.community, now=later) == 0
    books.ana.refresh_from_db()
    assert (books.ana.debits_pending, books.ana.available) == (0, 1_000)
    assert books.act(Kind.POST, hold) == Result.PENDING_ALREADY_RESOLVED
    call_command("ledger", "verify")


def test_a_mistaken_payment_is_corrected_by_a_reversal_not_an_edit(books) -> None:
    books.pay(books.issuance, books.ana, 1_000)
    oops = new_id()
    books.pay(books.ana, books.ben, 600, id=oops)
    assert books.act(Kind.REVERSE, oops, 200) == Result.OK
    assert books.act(Kind.REVERSE, oops) == Result.OK  # the remaining 4.00
    assert books.act(Kind.REVERSE, oops, 1) == Result.EXCEEDS_ORIGINAL_AMOUNT
    assert (books.balance(books.ana), books.balance(books.ben)) == (1_000, 0)


def test_a_retry_with_the_same_id_is_answered_not_applied_twice(books) -> None:
    books.pay(books.issuance, books.ana, 1_000)
    payment = new_id()
    assert books.pay(books.ana, books.ben, 300, id=payment) == Result.OK
    assert books.pay(books.ana, books.ben, 300, id=payment) == Result.EXISTS
    assert books.pay(books.ana, books.ben, 301, id=payment) == Result.ID_CONFLICT
    assert books.balance(books.ben) == 300


def test_every_result_has_words_for_the_member() -> None:
    from mutua.ledger.messages import MESSAGES

    assert set(MESSAGES) == set(Result)


def test_a_published_digest_exposes_a_later_rewrite_of_history(books) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from mutua.ledger.models import ChainDigest
    from mutua.ledger.services import chain_digest_publish

    books.pay(books.issuance, books.ana, 1_000)
    books.pay(books.ana, books.ben, 300)
    moment = timezone.now() + timedelta(seconds=1)
    published = chain_digest_publish(ledger=books.ld, at=moment)
    assert published.transfer_count == 2
    assert chain_digest_publish(ledger=books.ld, at=moment) == published  # once per moment
    assert ledger_verify() == []
    books.pay(books.ben, books.ana, 100, now=moment + timedelta(minutes=1))
    assert ledger_verify() == []  # history after the digest does not change it
    # What was published no longer matching the history (the history having been rewritten, or
    # the published record forged) is reported.
    ChainDigest.objects.create(
        community=books.community,
        ledger=books.ld,
        taken_at=moment + timedelta(seconds=1),
        transfer_count=2,
        digest="0" * 64,
    )
    assert [p.problem for p in ledger_verify()] == ["history differs from what was published then"]


def test_the_daily_digest_command_publishes_once_a_day(books) -> None:
    from io import StringIO

    from mutua.ledger.models import ChainDigest

    books.pay(books.issuance, books.ana, 1_000)
    out = StringIO()
    call_command("ledger", "digest", stdout=out)
    call_command("ledger", "digest", stdout=out)
    assert ChainDigest.objects.count() == 1
    assert "riverbend LD" in out.getvalue()


def test_a_transfer_stamped_in_another_time_zone_still_verifies(books) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    evening_in_new_york = datetime(2026, 11, 2, 18, 30, tzinfo=ZoneInfo("America/New_York"))
    books.pay(books.issuance, books.ana, 500, now=evening_in_new_york)
    assert ledger_verify() == []


def test_history_follows_the_order_transfers_were_applied_in_a_batch(books) -> None:
    import uuid

    from mutua.ledger.domain import TransferRequest
    from mutua.ledger.selectors import account_history
    from mutua.ledger.services import transfers_create

    ids = sorted((uuid.uuid4() for _ in range(3)), reverse=True)  # ids that sort backwards
    requests = [
        TransferRequest(
            id=ids[0],
            debit_account_id=books.issuance.id,
            credit_account_id=books.ana.id,
            amount=600,
            code="in",
        ),
        TransferRequest(
            id=ids[1],
            debit_account_id=books.ana.id,
            credit_account_id=books.ben.id,
            amount=400,
            code="out",
        ),
        TransferRequest(
            id=ids[2],
            debit_account_id=books.ana.id,
            credit_account_id=books.ben.id,
            amount=200,
            code="out",
        ),
    ]
    transfers_create(community=books.community, requests=requests)
    balances = [line.balance for line in account_history(account=books.ana)]
    assert balances == [600, 200, 0]


def test_a_batch_may_touch_the_same_account_many_times(books) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from mutua.ledger.domain import TransferRequest
    from mutua.ledger.services import pending_expire, transfers_create

    def pay(debit, credit, amount, **extra):  # type: ignore[no-untyped-def]
        return TransferRequest(
            id=new_id(),
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount=amount,
            code="batch",
            **extra,
        )

    outcomes = transfers_create(
        community=books.community,
        linked=True,
        requests=[
            pay(books.issuance, books.ana, 1_000),
            pay(books.issuance, books.ben, 1_000),
            pay(books.ana, books.ben, 300),
            pay(books.ben, books.ana, 50),
            pay(books.ana, books.bakery, 100, kind=Kind.PENDING, timeout_seconds=60),
            pay(books.ana, books.bakery, 200, kind=Kind.PENDING, timeout_seconds=60),
        ],
    )
    assert {o.result for o in outcomes} == {Result.OK}
    assert (books.balance(books.ana), books.balance(books.ben)) == (750, 1_250)
    from mutua.ledger.models import Transfer

    batch_ids = set(Transfer.objects.values_list("batch_id", flat=True))
    assert len(batch_ids) == 1 and None not in batch_ids  # one call, one batch
    assert pending_expire(community=books.community, now=timezone.now() + timedelta(hours=1)) == 2
    assert ledger_verify() == []


def test_a_transfer_cannot_be_dated_before_a_published_digest(books) -> None:
    """Demos and tests date transfers with `now=`; one dated before a digest that was already
    published would rewrite vouched-for history, so the ledger refuses it and writes nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from mutua.core.errors import MutuaError
    from mutua.ledger.models import Transfer
    from mutua.ledger.services import chain_digest_publish

    books.pay(books.issuance, books.ana, 1_000)
    moment = timezone.now() + timedelta(seconds=1)
    chain_digest_publish(ledger=books.ld, at=moment)
    with pytest.raises(MutuaError) as refused:
        books.pay(books.ana, books.ben, 300, now=moment - timedelta(days=2))
    assert refused.value.code == "before_digest"
    assert Transfer.objects.count() == 1
    assert books.pay(books.ana, books.ben, 300, now=moment + timedelta(minutes=1)) == "ok"
    assert ledger_verify() == []
