"""The demo's art for land: a land trust with projects and money raised, four artists' published
works (the `artist` login and three more), first sales and resales, custody with the trust, a
listing by the `investor` login, and everything verified. The full `mutua demo` runs once for the
module inside a transaction that is rolled back afterwards, on a fresh in-process chain."""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

import mutua.chain.gateway as gateway_module
from mutua.art.chainwork import chain_tasks_run
from mutua.art.models import Artwork, ChainTask, Listing, Sale
from mutua.art.selectors import trust_totals
from mutua.art.services import custodian_of, handoff_pending
from mutua.art.verify import art_verify
from mutua.chain.boa_gateway import BoaGateway
from mutua.community.models import Community
from mutua.core.tenancy import community_scope


@pytest.fixture(scope="module")
def riverbend(django_db_setup: None, django_db_blocker) -> Iterator[Community]:  # type: ignore[no-untyped-def]
    before, gateway_module._gateway = gateway_module._gateway, BoaGateway()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--force", stdout=StringIO())
        yield Community.objects.get(slug="riverbend")
        transaction.set_rollback(True)
    gateway_module._gateway = before


@pytest.fixture
def town(riverbend: Community, db: None) -> Iterator[Community]:
    with community_scope(riverbend.id):
        yield riverbend


def test_the_demo_has_four_artists_sales_resales_and_a_funded_trust(town: Community) -> None:
    works = Artwork.objects.filter(community=town, published_at__isnull=False)
    assert works.order_by().values("artist").distinct().count() == 4
    assert works.filter(artist__handle="artist").exists()
    assert Sale.objects.filter(kind="primary").count() >= 10
    assert Sale.objects.filter(kind="resale").count() >= 3
    totals = trust_totals(works.first().trust)  # type: ignore[union-attr]
    assert totals.raised > 0 and totals.projects[0].funded > 0
    assert Listing.objects.filter(status="open", seller__handle="investor").exists()


def test_the_trust_keeps_the_works_and_one_hand_off_waits(town: Community) -> None:
    held = [custodian_of(work).member.handle for work in Artwork.objects.all()]
    assert held.count("clt") == len(held) - 1
    waiting = [work for work in Artwork.objects.all() if handoff_pending(work)]
    assert len(waiting) == 1 and waiting[0].handoffs.get().received_by.handle == "clt"


def test_the_demo_verifies_once_the_chain_caught_up(town: Community) -> None:
    # Inside the test's transaction the sales' on-commit chain work has not run yet.
    chain_tasks_run(community_id=town.pk)
    assert not ChainTask.objects.filter(state="pending").exists()
    assert art_verify(town) == []
