"""Ledger pages: members see their own accounts, balances, history and statements."""

import csv
import io

import pytest
from django.utils import timezone

from mutua.core.tenancy import community_scope

pytestmark = pytest.mark.django_db


def test_a_member_sees_only_her_own_accounts(client, world) -> None:
    client.force_login(world.people["ana"])
    page = client.get("/ledger/accounts/")
    assert page.status_code == 200
    assert b"Ana" in page.content and b"100.00" in page.content
    assert b"Bakery" not in page.content and b"Issuance" not in page.content


def test_an_account_page_shows_the_running_balance(client, world) -> None:
    with community_scope(world.community.id):
        world.pay(world.ana, world.ben, 1_234)
    client.force_login(world.people["ana"])
    page = client.get(f"/ledger/accounts/{world.ana.id}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "87.66" in content and "-12.34" in content and "100.00" in content


def test_someone_elses_account_is_forbidden(client, world) -> None:
    client.force_login(world.people["ben"])
    assert client.get(f"/ledger/accounts/{world.ana.id}/").status_code == 403
    client.force_login(world.people["officer"])
    assert client.get(f"/ledger/accounts/{world.ana.id}/").status_code == 200


def test_the_statement_downloads_as_csv_with_the_opening_balance(client, world) -> None:
    with community_scope(world.community.id):
        world.pay(world.ana, world.ben, 500)
    client.force_login(world.people["ana"])
    today = timezone.localdate().isoformat()
    response = client.get(
        f"/ledger/accounts/{world.ana.id}/", {"since": today, "until": today, "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "date" and rows[1][3] == "opening balance"
    assert [row[5] for row in rows[2:]] == ["100.00", "-5.00"]
    assert rows[-1][6] == "95.00"


def test_a_memo_that_looks_like_a_formula_downloads_inert(client, world) -> None:
    memo = '=HYPERLINK("https://example.org", "refund")'
    with community_scope(world.community.id):
        world.pay(world.ana, world.ben, 500, memo=memo)
    client.force_login(world.people["ana"])
    today = timezone.localdate().isoformat()
    response = client.get(
        f"/ledger/accounts/{world.ana.id}/", {"since": today, "until": today, "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[-1][4] == "'" + memo and rows[-1][5] == "-5.00"  # the amount stays a number


def test_a_bad_period_is_a_clear_400(client, world) -> None:
    client.force_login(world.people["ana"])
    response = client.get(f"/ledger/accounts/{world.ana.id}/", {"since": "yesterday"})
    assert response.status_code == 400 and b"YYYY-MM-DD" in response.content
    response = client.get(
        f"/ledger/accounts/{world.ana.id}/", {"since": "2026-05-02", "until": "2026-05-01"}
    )
    assert response.status_code == 400
    response = client.get(f"/ledger/accounts/{world.ana.id}/", {"until": "9999-12-31"})
    assert response.status_code == 400 and b"Dates lie between" in response.content
