"""The database refuses bad art writes itself, even from code that goes around the ORM."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mutua.art import sales, services
from mutua.art.models import Artwork, Edition, ProvenanceEvent, Sale
from mutua.art.tests.conftest import Art


def _id(obj: object) -> object:
    return obj.hex if connection.vendor == "sqlite" else obj  # type: ignore[attr-defined]


def refused(sql: str, params: list[object]) -> None:
    with (
        pytest.raises((IntegrityError, DatabaseError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_a_published_artworks_terms_cannot_change(art: Art) -> None:
    for column, value in (("price", 1), ("royalty_bps", 4000), ("artist_bps", 10000)):
        sql = f"UPDATE art_artwork SET {column} = %s WHERE id = %s"  # noqa: S608 (our columns)
        refused(sql, [value, _id(art.artwork.pk)])
    assert Artwork.objects.get(pk=art.artwork.pk).price == 100_000


def test_royalty_shares_must_sum_to_the_whole(art: Art) -> None:
    draft = services.artwork_register(
        actor=art.ada, fields=services.ObjectFields(*["x"] * 6), terms=art.artwork_terms()
    )
    refused("UPDATE art_artwork SET union_bps = 1999 WHERE id = %s", [_id(draft.pk)])


def test_an_original_investor_is_for_good(art: Art) -> None:
    sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)
    edition = art.edition(1)
    refused(
        "UPDATE art_edition SET original_investor_id = %s WHERE id = %s",
        [_id(art.bea.pk), _id(edition.pk)],
    )
    assert Edition.objects.get(pk=edition.pk).original_investor_id == art.ivan.pk


def test_a_sales_parts_must_sum_to_its_price(art: Art) -> None:
    sale = sales.edition_buy(buyer=art.ivan, edition=art.edition(1), now=art.now)
    refused("UPDATE art_sale SET artist_amount = 1 WHERE id = %s", [_id(sale.pk)])
    refused("DELETE FROM art_sale WHERE id = %s", [_id(sale.pk)])
    assert Sale.objects.get(pk=sale.pk).artist_amount == 70_000


def test_provenance_is_append_only(art: Art) -> None:
    event = ProvenanceEvent.objects.filter(artwork=art.artwork).first()
    assert event is not None
    refused("UPDATE art_provenanceevent SET hash = %s WHERE id = %s", ["0" * 64, _id(event.pk)])
    refused("DELETE FROM art_provenanceevent WHERE id = %s", [_id(event.pk)])


def test_only_the_two_parties_confirm_a_handoff(art: Art) -> None:
    handoff = services.handoff_propose(
        actor=art.ada,
        artwork=art.artwork,
        fields=services.HandoffFields(art.ada, art.ruth, "studio", art.now, "good"),
    )
    refused(
        "INSERT INTO art_handoffconfirmation (id, community_id, handoff_id, member_id, at) "
        "VALUES (%s, %s, %s, %s, %s)",
        [_id(art.bea.pk), _id(art.community.pk), _id(handoff.pk), _id(art.bea.pk), art.now],
    )
