"""Art for land through the JSON API with personal tokens: the stories of `test_stories.py`, and
each refusal with its reason, its status, and nothing written."""

import hashlib
from typing import Any
from uuid import uuid4

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutua.art.models import Artwork, HandoffConfirmation, Listing, Photo, Sale
from mutua.art.tests.conftest import OBJECT, TERMS, Art, png_bytes
from mutua.community.models import Member
from mutua.community.roles import Role
from mutua.community.services import api_token_create
from mutua.community.tests.factories import member_with

BODY = OBJECT._asdict() | TERMS._asdict()


@pytest.fixture
def call(client: Client, art: Art, stranger: Member) -> Any:
    mo = member_with(Role.MEMBER, community=art.community, handle="mo")
    people = {
        "ada": art.ada,
        "ivan": art.ivan,
        "bea": art.bea,
        "ruth": art.ruth,
        "olu": art.olu,
        "mo": mo,
        "xena": stranger,
    }
    tokens = {who: api_token_create(member=m, name="t")[1] for who, m in people.items()}

    def call(who: str, method: str, url: str, body: Any = None, files: Any = None) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
        if files is not None:
            kwargs.update(data=files)
        elif body is not None:
            kwargs.update(data=body, content_type="application/json")
        elif method != "get":  # no body at all, as `curl -X POST` sends
            kwargs.update(data=b"", content_type="application/json")
        return getattr(client, method)(f"/api/v1/art{url}", **kwargs)

    return call


def _edition_id(art: Art, number: int) -> str:
    return str(art.edition(number).pk)


def _buy(call: Any, who: str, edition_id: str) -> dict[str, Any]:
    answer = call(who, "post", f"/editions/{edition_id}/buy", {})
    assert answer.status_code == 201, answer.json()
    return dict(answer.json())


def _photo(data: bytes, name: str = "front.png") -> dict[str, Any]:
    return {"image": SimpleUploadedFile(name, data, content_type="image/png"), "caption": "front"}


# --- artworks -------------------------------------------------------------------------------------


def test_an_artist_registers_photographs_and_publishes_a_work(call: Any, art: Art) -> None:
    answer = call("ada", "post", "/artworks", BODY | {"title": "Heron at Noon"})
    assert answer.status_code == 201, answer.json()
    draft = answer.json()
    assert (draft["published_at"], draft["editions"]) == (None, [])
    assert draft["trust"] == str(art.trust.pk) and draft["terms"] == TERMS._asdict()
    assert draft["custodian"]["member"] == "ada" and draft["provenance"]["verified"]
    url = f"/artworks/{draft['id']}"
    assert call("ivan", "get", url).status_code == 404
    assert draft["id"] in [a["id"] for a in call("ada", "get", "/artworks").json()]
    assert draft["id"] not in [a["id"] for a in call("ivan", "get", "/artworks").json()]

    terms = TERMS._asdict() | {"price": 120_000}
    assert call("ada", "put", f"{url}/terms", terms).json()["terms"]["price"] == 120_000
    no_photo = call("ada", "post", f"{url}/publish")
    assert (no_photo.status_code, no_photo.json()["code"]) == (422, "no_photo")
    data = png_bytes((200, 40, 40))
    photo = call("ada", "post", f"{url}/photos", files=_photo(data))
    assert photo.status_code == 201, photo.json()
    assert photo.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert photo.json()["cid"].startswith("b") and photo.json()["url"].endswith(".png")

    published = call("ada", "post", f"{url}/publish")
    assert published.status_code == 200
    editions = published.json()["editions"]
    assert [(e["number"], e["holder"], e["chain_state"]) for e in editions] == [
        (n, None, "unsold") for n in (1, 2, 3)
    ]
    fixed = call("ada", "put", f"{url}/terms", terms | {"price": 1})
    assert (fixed.status_code, fixed.json()["code"]) == (422, "terms_fixed")
    assert draft["id"] in [a["id"] for a in call("ivan", "get", "/artworks").json()]


def test_bad_artwork_input_is_refused_and_nothing_is_written(call: Any, art: Art) -> None:
    shares = call("ada", "post", "/artworks", BODY | {"union_bps": 2_500})
    assert shares.status_code == 400 and shares.json()["code"] == "invalid"
    assert "100 %" in shares.json()["fields"]["union_bps"][0]
    blank = call("ada", "post", "/artworks", BODY | {"title": " ", "price": 0})
    assert blank.status_code == 400 and {"title", "price"} <= set(blank.json()["fields"])
    assert call("ivan", "post", "/artworks", BODY).status_code == 403
    assert call("ada", "post", "/artworks", {"title": "No terms"}).status_code == 422
    assert Artwork.objects.count() == 1

    url = f"/artworks/{art.artwork.pk}/photos"
    text = call("ada", "post", url, files=_photo(b"not an image at all", "notes.png"))
    assert text.status_code == 400 and text.json()["code"] == "bad_photo"
    assert "image" in text.json()["fields"]
    assert call("ivan", "post", url, files=_photo(png_bytes())).status_code == 403
    assert Photo.objects.count() == 1


def test_the_artwork_shows_its_editions_custody_and_provenance(call: Any, art: Art) -> None:
    _buy(call, "ivan", _edition_id(art, 1))
    listed = call("ivan", "post", f"/editions/{_edition_id(art, 1)}/listings", {"price": 150_000})
    assert listed.status_code == 201
    detail = call("bea", "get", f"/artworks/{art.artwork.pk}").json()
    first, second = detail["editions"][:2]
    assert (first["holder"], first["original_investor"], first["chain_state"]) == (
        "ivan",
        "ivan",
        "pending",
    )
    assert first["listing"] == {"id": listed.json()["id"], "price": 150_000, "seller": "ivan"}
    assert (second["holder"], second["listing"]) == (None, None)
    assert detail["terms"] == TERMS._asdict() and len(detail["photos"]) == 1
    assert detail["photos"][0]["sha256"] == Photo.objects.get().sha256

    log = call("bea", "get", f"/artworks/{art.artwork.pk}/provenance").json()
    assert log["problems"] == [] and log["verified"]
    kinds = [e["kind"] for e in log["events"]]
    assert kinds == ["registered", "photo", "published", "sale", "trust_payout", "listed"]
    assert [e["seq"] for e in log["events"]] == list(range(1, 7))
    assert log["events"][1]["prev_hash"] == log["events"][0]["hash"]
    assert detail["provenance"] == {"verified": True, "head": log["head"], "events": 6}

    assert call("ivan", "post", "/chain/tasks/run").status_code == 403
    assert call("olu", "post", "/chain/tasks/run").json() == {"done": 1, "failed": 0, "waiting": 0}
    minted = call("bea", "get", f"/artworks/{art.artwork.pk}").json()["editions"][0]
    assert minted["chain_state"] == "on_chain" and minted["token_id"] is not None
    assert minted["splitter"].startswith("0x")


def test_another_community_sees_none_of_it(call: Any, art: Art) -> None:
    assert call("xena", "get", f"/artworks/{art.artwork.pk}").status_code == 404
    assert call("xena", "get", f"/artworks/{art.artwork.pk}/provenance").status_code == 404
    assert call("xena", "get", "/artworks").json() == []
    assert call("xena", "get", f"/trusts/{art.trust.pk}").status_code == 404
    bought = call("xena", "post", f"/editions/{_edition_id(art, 1)}/buy", {})
    assert (bought.status_code, bought.json()["code"]) == (404, "not_found")
    assert not Sale.objects.exists()


# --- sales ----------------------------------------------------------------------------------------


def test_a_first_sale_retried_with_its_id_is_made_once(call: Any, art: Art) -> None:
    url, key = f"/editions/{_edition_id(art, 2)}/buy", str(uuid4())
    first = call("ivan", "post", url, {"id": key})
    assert first.status_code == 201, first.json()
    sale = first.json()
    assert (sale["id"], sale["kind"]) == (key, "primary")
    assert (sale["buyer"], sale["seller"]) == ("ivan", "ada")
    assert (sale["artist_amount"], sale["trust_amount"]) == (70_000, 30_000)
    assert len(sale["transfers"]) == 3
    again = call("ivan", "post", url, {"id": key})
    assert again.status_code == 201 and again.json()["id"] == key
    assert Sale.objects.count() == 1
    assert art.balance(art.ivan) == 900_000 and art.balance(art.land) == 30_000

    other = call("bea", "post", f"/editions/{_edition_id(art, 3)}/buy", {"id": key})
    assert (other.status_code, other.json()["code"]) == (409, "id_conflict")
    sold = call("bea", "post", url)
    assert (sold.status_code, sold.json()["code"]) == (422, "sold")
    assert Sale.objects.count() == 1 and art.balance(art.bea) == 1_000_000


def test_only_investors_buy(call: Any, art: Art) -> None:
    url = f"/editions/{_edition_id(art, 1)}/buy"
    for who in ("mo", "ada"):
        answer = call(who, "post", url, {})
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert not Sale.objects.exists() and art.balance(art.ada) == 0


def test_a_resale_pays_the_seller_the_royalty_and_the_trust(call: Any, art: Art) -> None:
    _buy(call, "ivan", _edition_id(art, 1))
    listing = call("ivan", "post", f"/editions/{_edition_id(art, 1)}/listings", {"price": 200_000})
    assert [x["id"] for x in call("bea", "get", "/listings").json()] == [listing.json()["id"]]
    answer = call("bea", "post", f"/listings/{listing.json()['id']}/buy")
    assert answer.status_code == 201, answer.json()
    sale = answer.json()
    assert (sale["kind"], sale["seller_amount"], sale["royalty"]) == ("resale", 180_000, 20_000)
    assert (sale["investor_amount"], sale["artist_amount"], sale["trust_amount"]) == (
        10_000,
        6_000,
        4_000,
    )
    assert art.balance(art.ivan) == 1_000_000 - 100_000 + 180_000 + 10_000
    assert art.balance(art.bea) == 1_000_000 - 200_000
    assert art.edition(1).holder == art.bea
    assert call("bea", "get", "/listings").json() == []


def test_bad_sales_are_refused_and_nothing_moves(call: Any, art: Art) -> None:
    _buy(call, "ivan", _edition_id(art, 1))
    ivan, bea = art.balance(art.ivan), art.balance(art.bea)

    zero = call("ivan", "post", f"/editions/{_edition_id(art, 1)}/listings", {"price": 0})
    assert zero.status_code == 400 and "price" in zero.json()["fields"]
    for who, number in (("bea", 1), ("ivan", 2)):  # an edition one does not hold
        answer = call(who, "post", f"/editions/{_edition_id(art, number)}/listings", {"price": 5})
        assert answer.status_code == 403
    assert not Listing.objects.exists()

    listing = call("ivan", "post", f"/editions/{_edition_id(art, 1)}/listings", {"price": 5_000})
    url = f"/listings/{listing.json()['id']}"
    own = call("ivan", "post", f"{url}/buy", {})
    assert (own.status_code, own.json()["code"]) == (422, "own_listing")
    assert call("bea", "post", f"{url}/withdraw").status_code == 403
    assert call("ivan", "post", f"{url}/withdraw").json()["status"] == "withdrawn"
    closed = call("bea", "post", f"{url}/buy", {})
    assert (closed.status_code, closed.json()["code"]) == (409, "not_open")
    assert Sale.objects.count() == 1
    assert (art.balance(art.ivan), art.balance(art.bea)) == (ivan, bea)


def test_officers_see_every_sale_and_the_chain_tasks_others_their_own(call: Any, art: Art) -> None:
    _buy(call, "ivan", _edition_id(art, 1))
    _buy(call, "bea", _edition_id(art, 2))
    counts = {who: len(call(who, "get", "/sales").json()) for who in ("olu", "ada", "ivan", "mo")}
    assert counts == {"olu": 2, "ada": 2, "ivan": 1, "mo": 0}
    assert call("ivan", "get", "/chain/tasks").status_code == 403
    tasks = call("olu", "get", "/chain/tasks?state=pending").json()
    assert [(t["kind"], t["to"], t["state"]) for t in tasks] == [
        ("mint", "ivan", "pending"),
        ("mint", "bea", "pending"),
    ]


# --- custody --------------------------------------------------------------------------------------


def test_a_hand_off_counts_once_the_other_party_confirms(call: Any, art: Art) -> None:
    body = {
        "released_by": "ada",
        "received_by": "ruth",
        "received_for": str(art.land.pk),
        "place": "Riverbend CLT office",
        "at": art.now.isoformat(),
        "condition": "good; frame nick as recorded",
    }
    url = f"/artworks/{art.artwork.pk}/handoffs"
    unknown = call("ada", "post", url, body | {"received_by": "nobody"})
    assert unknown.status_code == 404 and "received_by" in unknown.json()["fields"]
    proposed = call("ada", "post", url, body)
    assert proposed.status_code == 201, proposed.json()
    handoff = proposed.json()
    assert (handoff["confirmed_by"], handoff["confirmed"]) == (["ada"], False)

    wrong = call("ivan", "post", f"/handoffs/{handoff['id']}/confirm")
    assert wrong.status_code == 403
    assert HandoffConfirmation.objects.count() == 1
    assert call("ivan", "get", f"/artworks/{art.artwork.pk}").json()["custodian"]["member"] == "ada"

    confirmed = call("ruth", "post", f"/handoffs/{handoff['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["confirmed"]
    custodian = call("ivan", "get", f"/artworks/{art.artwork.pk}").json()["custodian"]
    assert (custodian["member"], custodian["organization"]) == ("ruth", str(art.land.pk))
    assert [h["confirmed"] for h in call("ivan", "get", url).json()] == [True]


# --- land trusts ----------------------------------------------------------------------------------


def test_a_trust_shows_what_art_raised_and_its_stewards_add_projects(call: Any, art: Art) -> None:
    assert [t["name"] for t in call("ivan", "get", "/trusts").json()] == ["Riverbend CLT"]
    _buy(call, "ivan", _edition_id(art, 1))
    trust = call("ivan", "get", f"/trusts/{art.trust.pk}").json()
    assert (trust["raised"], trust["goal"], trust["percent"]) == (30_000, 550_000, 5)
    assert [(p["name"], p["funded"]) for p in trust["projects"]] == [
        ("Mill Row homes", 30_000),
        ("Heron Bend lot", 0),
    ]
    assert trust["by_artwork"] == [
        {"artwork": str(art.artwork.pk), "title": "River at Dusk", "amount": 30_000}
    ]
    assert trust["by_artist"] == [{"artist": "Ada Mensah", "amount": 30_000}]
    assert [m["amount"] for m in trust["by_month"]] == [30_000]

    url, project = f"/trusts/{art.trust.pk}/projects", {"name": "Orchard", "kind": "garden"}
    assert call("ivan", "post", url, project | {"goal": 10_000}).status_code == 403
    zero = call("ruth", "post", url, project | {"goal": 0})
    assert zero.status_code == 400 and "goal" in zero.json()["fields"]
    added = call("ruth", "post", url, project | {"goal": 10_000, "rank": 3})
    assert added.status_code == 201 and added.json()["rank"] == 3
    assert len(call("ivan", "get", f"/trusts/{art.trust.pk}").json()["projects"]) == 3


def test_the_openapi_document_is_valid_and_lists_the_art_endpoints(client: Client) -> None:
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    assert {
        "/api/v1/art/artworks/{artwork_id}/photos",
        "/api/v1/art/editions/{edition_id}/buy",
        "/api/v1/art/chain/tasks/run",
    } <= set(document["paths"])
