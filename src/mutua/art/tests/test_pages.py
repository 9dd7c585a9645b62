"""Art for land's pages through Django's test client: the public pages without signing in, who
may open the signed-in ones, editions bought, listed and resold from the pages, hand-offs proposed
and confirmed, photos uploaded (and a file that is not an image refused), the photo's headers,
the token metadata, and bad input refused with nothing changed."""

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutua.art import chainwork, sales, services
from mutua.art.models import Artwork, Edition, Handoff, LandProject, Listing, Photo, Sale
from mutua.art.tests.conftest import OBJECT, TERMS, Art, png_bytes
from mutua.community.models import Member
from mutua.core.hashchain import ChainProblem
from mutua.core.ids import new_id


def as_(client: Client, member: Member | None) -> Client:
    client.logout()
    if member is not None:
        client.force_login(member)
    return client


def work_url(art: Art, artwork: Artwork | None = None) -> str:
    return f"/art/c/riverbend/works/{(artwork or art.artwork).pk}/"


def text(answer: Any) -> str:
    return str(answer.content.decode())


def draft(art: Art, title: str = "Heron at Dawn") -> Artwork:
    return services.artwork_register(
        actor=art.ada, fields=OBJECT._replace(title=title), terms=TERMS
    )


# --- public pages ---------------------------------------------------------------------------------


def test_the_public_pages_open_without_signing_in(client: Client, art: Art) -> None:
    gallery = text(client.get("/art/c/riverbend/"))
    assert "River at Dusk" in gallery and "1,000.00" in gallery and "Riverbend CLT" in gallery
    assert "10 % resale royalty" in gallery
    assert f"/art/photos/{art.artwork.photos.get().pk}/" in gallery

    page = text(client.get(work_url(art)))
    photo = art.artwork.photos.get()
    assert photo.sha256 in page and photo.cid in page
    assert "oil on linen" in page and "60 x 80 cm" in page
    assert "70 % (700.00) goes to the artist and 30 % (300.00) to Riverbend CLT" in page
    assert "50 % of it to the edition's first investor, 30 % to the artist" in page
    assert page.count("for sale by the artist") == 3
    assert "Verified: 3 events, head " + art.artwork.provenance.last().hash[:12] in page
    assert "Buy edition" not in page  # no buttons for visitors
    assert "Sign in" in page

    artist = text(client.get(f"/art/c/riverbend/artists/{art.ada.pk}/"))
    assert "I paint the river." in artist and "River at Dusk" in artist
    trust = text(client.get(f"/art/c/riverbend/trusts/{art.trust.pk}/"))
    assert "Land for permanently affordable homes." in trust
    assert "Mill Row homes" in trust and "Heron Bend lot" in trust
    assert "<progress" in trust
    legal = text(client.get("/art/legal/"))
    assert "Securities and Exchange Commission" in legal and "MUTUA_ART_INVESTOR_WORD" in legal


def test_unknown_or_foreign_things_are_not_found(
    client: Client, art: Art, stranger: Member
) -> None:
    assert client.get("/art/c/nowhere/").status_code == 404
    assert client.get(f"/art/c/elsewhere/works/{art.artwork.pk}/").status_code == 404
    assert client.get(f"/art/c/elsewhere/trusts/{art.trust.pk}/").status_code == 404
    assert client.get(f"/art/c/elsewhere/artists/{art.ada.pk}/").status_code == 404
    assert client.get(f"/art/c/riverbend/artists/{art.ivan.pk}/").status_code == 404
    # A member of another town sees the public page, without buttons, and cannot act on it.
    page = as_(client, stranger).get(work_url(art))
    assert page.status_code == 200 and "Buy edition" not in text(page)
    edition = art.edition(1)
    posted = client.post(
        work_url(art), {"action": "buy", "buy-id": edition.pk, "buy-once": new_id()}
    )
    assert posted.status_code == 404
    assert not Sale.objects.exists()


def test_a_draft_is_seen_by_its_artist_only(client: Client, art: Art) -> None:
    work = draft(art)
    services.photo_add(actor=art.ada, artwork=work, data=png_bytes((200, 0, 0)))
    photo = work.photos.get()
    assert as_(client, None).get(work_url(art, work)).status_code == 404
    assert client.get(f"/art/photos/{photo.pk}/").status_code == 404
    assert as_(client, art.ivan).get(work_url(art, work)).status_code == 404
    assert client.get(f"/art/photos/{photo.pk}/").status_code == 404
    assert as_(client, art.ada).get(work_url(art, work)).status_code == 200
    assert client.get(f"/art/photos/{photo.pk}/").status_code == 200
    assert "Heron at Dawn" not in text(client.get("/art/c/riverbend/"))


def test_who_may_open_the_signed_in_pages(client: Client, art: Art, stranger: Member) -> None:
    pages = {
        "/art/studio/": {"ada": 200, "ivan": 403, "ruth": 403},
        "/art/mine/": {"ada": 200, "ivan": 200, "ruth": 200},
        f"/art/trust/{art.trust.pk}/manage/": {"ruth": 200, "ada": 403, "olu": 403, "xena": 404},
        f"/art/trust/{art.land.pk}/manage/": {"ruth": 200, "ivan": 403},
        "/art/sales/": {"olu": 200, "ivan": 403, "ruth": 403},
    }
    people = {"ada": art.ada, "ivan": art.ivan, "ruth": art.ruth, "olu": art.olu, "xena": stranger}
    for path, answers in pages.items():
        for who, status in answers.items():
            assert as_(client, people[who]).get(path).status_code == status, (path, who)
        assert as_(client, None).get(path).status_code == 302, path  # to the sign-in page


def test_the_nav_and_dashboards_link_to_art(client: Client, art: Art) -> None:
    dashboard = text(as_(client, art.ada).get("/dashboard/artist/"))
    assert 'href="/art/c/riverbend/"' in dashboard and 'href="/art/studio/"' in dashboard
    steward = text(as_(client, art.ruth).get("/dashboard/clt_steward/"))
    assert f'href="/art/trust/{art.land.pk}/manage/"' in steward
    assert 'href="/art/studio/"' in text(as_(client, art.ada).get("/art/c/riverbend/"))
    gallery = text(as_(client, art.ruth).get("/art/c/riverbend/"))
    assert f'href="/art/trust/{art.trust.pk}/manage/"' in gallery and "/art/studio/" not in gallery
    assert 'href="/art/sales/"' in text(as_(client, art.olu).get("/art/c/riverbend/"))
    assert 'href="/art/mine/"' not in text(as_(client, None).get("/art/c/riverbend/"))


# --- buying, listing, reselling -------------------------------------------------------------------


def buy(client: Client, art: Art, number: int, once: Any = None) -> Any:
    edition = art.edition(number)
    data = {"action": "buy", "buy-id": edition.pk, "buy-once": once or new_id()}
    return client.post(work_url(art), data, follow=True)


def test_an_investor_buys_an_edition_from_the_artwork_page(
    client: Client, art: Art, django_capture_on_commit_callbacks: Any
) -> None:
    page = text(as_(client, art.ivan).get(work_url(art)))
    assert "Buy edition 1 for 1,000.00" in page
    once = new_id()
    with django_capture_on_commit_callbacks(execute=True):
        answer = buy(client, art, 1, once)
    assert "Edition 1 is yours: 700.00 to the artist, 300.00 to Riverbend CLT." in text(answer)
    assert art.edition(1).holder == art.ivan
    page = text(client.get(work_url(art)))
    assert f"minted: token #{art.edition(1).token_id}" in page  # the chain ran on commit
    assert "Ivan Petrov" in page and "Buy edition 1" not in page

    buy(client, art, 1, once)  # the same form sent again buys nothing more
    assert Sale.objects.count() == 1 and art.balance(art.ivan) == 900_000


def test_only_investors_buy(client: Client, art: Art) -> None:
    assert "Buy edition" not in text(as_(client, art.ruth).get(work_url(art)))
    assert buy(client, art, 1).status_code == 403
    assert buy(as_(client, art.ada), art, 1).status_code == 403
    assert as_(client, None).post(work_url(art), {"action": "buy"}).status_code == 302
    assert not Sale.objects.exists()


def test_an_edition_is_listed_resold_and_the_royalty_shared(client: Client, art: Art) -> None:
    buy(as_(client, art.ivan), art, 1)
    edition = art.edition(1)
    answer = client.post(
        work_url(art), {"action": f"list-{edition.pk}", f"list-{edition.pk}-price": "1,500.00"}
    )
    assert answer.status_code == 302
    listing = Listing.objects.get(edition=edition, status="open")
    assert listing.price == 150_000

    page = text(as_(client, art.bea).get(work_url(art)))
    assert "Buy edition 1 for 1,500.00" in page
    answer = client.post(
        work_url(art),
        {"action": "resale", "resale-id": listing.pk, "resale-once": new_id()},
        follow=True,
    )
    # 10 % of 1,500.00 is 150.00: 75.00 to Ivan, 45.00 to Ada, 30.00 to the trust.
    assert "30.00 of its royalty goes to Riverbend CLT" in text(answer)
    assert art.edition(1).holder == art.bea
    assert art.balance(art.ivan) == 1_000_000 - 100_000 + 135_000 + 7_500
    assert art.balance(art.land) == 30_000 + 3_000

    mine = text(as_(client, art.ivan).get("/art/mine/"))
    assert "royalty as first investor: 75.00" in mine
    assert "sale price less the royalty: 1,350.00" in mine
    ada = text(as_(client, art.ada).get("/art/mine/"))
    assert "artist&#x27;s part: 700.00" in ada and "artist&#x27;s royalty: 45.00" in ada


def test_a_listing_is_withdrawn_from_my_editions(client: Client, art: Art) -> None:
    buy(as_(client, art.ivan), art, 2)
    edition = art.edition(2)
    answer = client.post(
        "/art/mine/", {"action": f"list-{edition.pk}", f"list-{edition.pk}-price": "1200"}
    )
    assert answer.status_code == 302
    assert "1,200.00" in text(client.get("/art/mine/"))
    answer = client.post(
        "/art/mine/", {"action": "withdraw", "withdraw-id": edition.pk}, follow=True
    )
    assert "Edition 2 is no longer for sale." in text(answer)
    assert Listing.objects.get().status == "withdrawn"
    # Withdrawing again: the reason shows and nothing changes.
    again = client.post("/art/mine/", {"action": "withdraw", "withdraw-id": edition.pk})
    assert again.status_code == 400 and "no longer open" in text(again)


def test_a_bad_price_is_refused_and_nothing_is_listed(client: Client, art: Art) -> None:
    buy(as_(client, art.ivan), art, 1)
    edition = art.edition(1)
    for price in ("abc", "0", "1.005"):
        answer = client.post(
            work_url(art), {"action": f"list-{edition.pk}", f"list-{edition.pk}-price": price}
        )
        assert answer.status_code == 400, price
    assert not Listing.objects.exists()
    # Someone who does not hold the edition cannot list it.
    answer = as_(client, art.bea).post(
        work_url(art), {"action": f"list-{edition.pk}", f"list-{edition.pk}-price": "5"}
    )
    assert answer.status_code == 400 and not Listing.objects.exists()


def test_the_buyer_word_is_configurable(client: Client, art: Art, settings: Any) -> None:
    settings.MUTUA_ART_INVESTOR_WORD = "supporter"
    page = text(client.get(work_url(art)))
    assert "the edition's first supporter" in page and "first investor" not in page
    assert 'call an edition\'s buyer a "supporter"' in text(client.get("/art/legal/"))


# --- the studio: register, photograph, publish, hand over -----------------------------------------


REGISTER = {
    "action": "register",
    "register-title": "Heron at Dawn",
    "register-object_type": "painting",
    "register-maker": "Ada Mensah",
    "register-made": "2026",
    "register-materials": "watercolour on paper",
    "register-measurements": "30 x 40 cm",
    "register-editions": "4",
    "register-price": "250",
    "register-artist_bps": "60",
    "register-royalty_bps": "12.5",
    "register-investor_bps": "50",
    "register-artist_royalty_bps": "30",
    "register-union_bps": "20",
}


def test_the_artist_registers_photographs_and_publishes_a_work(client: Client, art: Art) -> None:
    answer = as_(client, art.ada).post("/art/studio/", REGISTER)
    assert answer.status_code == 302
    work = Artwork.objects.get(title="Heron at Dawn")
    assert (work.price, work.artist_bps, work.royalty_bps, work.editions) == (
        25_000,
        6_000,
        1_250,
        4,
    )
    assert work.trust == art.trust and work.published_at is None

    not_an_image = SimpleUploadedFile("p.png", b"not a picture", content_type="image/png")
    answer = client.post(
        "/art/studio/", {"action": f"photo-{work.pk}", f"photo-{work.pk}-image": not_an_image}
    )
    assert answer.status_code == 400 and "A photo is a JPEG, PNG or WebP image." in text(answer)
    assert not work.photos.exists()

    publish = {"action": "publish", "publish-id": work.pk}
    answer = client.post("/art/studio/", publish)
    assert answer.status_code == 400 and "Add a photo of the work before publishing it." in text(
        answer
    )

    image = SimpleUploadedFile("heron.png", png_bytes((10, 120, 60)), content_type="image/png")
    answer = client.post(
        "/art/studio/",
        {
            "action": f"photo-{work.pk}",
            f"photo-{work.pk}-image": image,
            f"photo-{work.pk}-caption": "front",
        },
        follow=True,
    )
    photo = work.photos.get()
    assert f"Photo added (SHA-256 {photo.sha256[:12]}" in text(answer)
    assert (photo.content_type, photo.caption) == ("image/png", "front")

    answer = client.post("/art/studio/", publish, follow=True)
    assert "Heron at Dawn is in the gallery" in text(answer)
    work.refresh_from_db()
    assert work.published_at is not None and Edition.objects.filter(artwork=work).count() == 4
    assert "Heron at Dawn" in text(client.get("/art/c/riverbend/"))


def test_terms_that_do_not_add_up_are_refused_with_nothing_saved(client: Client, art: Art) -> None:
    bad = REGISTER | {"register-union_bps": "30", "register-royalty_bps": "60"}
    answer = as_(client, art.ada).post("/art/studio/", bad)
    page = text(answer)
    assert answer.status_code == 400
    assert "The royalty shares must add up to 100 %." in page or "A royalty is 0 to 50 %" in page
    assert not Artwork.objects.filter(title="Heron at Dawn").exists()

    work = draft(art)
    answer = client.post(
        "/art/studio/",
        {f"terms-{work.pk}-{k.split('-', 1)[1]}": v for k, v in REGISTER.items() if k != "action"}
        | {"action": f"terms-{work.pk}", f"terms-{work.pk}-union_bps": "10"},
    )
    assert answer.status_code == 400 and "add up to 100 %" in text(answer)
    work.refresh_from_db()
    assert work.union_bps == TERMS.union_bps


def test_a_handoff_is_proposed_in_the_studio_and_confirmed_by_the_steward(
    client: Client, art: Art
) -> None:
    work = art.artwork
    answer = as_(client, art.ada).post(
        "/art/studio/",
        {
            "action": f"handoff-{work.pk}",
            f"handoff-{work.pk}-to": "@Ruth",
            f"handoff-{work.pk}-received_for": art.land.pk,
            f"handoff-{work.pk}-place": "Riverbend CLT office",
            f"handoff-{work.pk}-at": "2026-05-04T10:30",
            f"handoff-{work.pk}-condition": "good; frame nick as recorded",
        },
        follow=True,
    )
    assert f"it counts once {art.ruth.display_name} confirms it" in text(answer)
    handoff = Handoff.objects.get()
    assert (handoff.released_by, handoff.received_by, handoff.received_for) == (
        art.ada,
        art.ruth,
        art.land,
    )
    assert "waiting for the other party" in text(client.get(work_url(art)))

    mine = text(as_(client, art.ruth).get("/art/mine/"))
    assert "Hand-offs waiting for you to confirm" in mine and "River at Dusk" in mine
    assert "Confirm this hand-off" in text(client.get(work_url(art)))
    answer = client.post("/art/mine/", {"action": "confirm", "confirm-id": handoff.pk}, follow=True)
    assert "Hand-off confirmed" in text(answer)
    holder = services.custodian_of(work)
    assert (holder.member, holder.organization) == (art.ruth, art.land)
    page = text(client.get(work_url(art)))
    assert "by both" in page and "Riverbend CLT office" in page
    assert f"{art.ruth.display_name}, for Riverbend CLT" in page
    # Confirming twice is refused beside the button, nothing changes.
    again = client.post(work_url(art), {"action": "confirm", "confirm-id": handoff.pk})
    assert again.status_code == 400 and "confirmed this hand-off already" in text(again)


def test_a_handoff_to_an_unknown_handle_is_refused(client: Client, art: Art) -> None:
    work = art.artwork
    answer = as_(client, art.ada).post(
        work_url(art),
        {
            "action": "handoff",
            "handoff-to": "nobody",
            "handoff-place": "here",
            "handoff-at": "2026-05-04T10:30",
            "handoff-condition": "fine",
        },
    )
    assert answer.status_code == 400 and "No member of this community has that handle." in text(
        answer
    )
    assert not Handoff.objects.filter(artwork=work).exists()


# --- photos and token metadata --------------------------------------------------------------------


def test_a_photo_is_served_with_its_type_and_no_sniffing(client: Client, art: Art) -> None:
    photo = Photo.objects.get(artwork=art.artwork)
    answer = client.get(f"/art/photos/{photo.pk}/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Disposition"].startswith("inline")
    assert b"".join(answer.streaming_content) == png_bytes()  # type: ignore[attr-defined]
    assert client.get(f"/art/photos/{new_id()}/").status_code == 404


def test_the_token_metadata_names_the_work_and_its_image(
    client: Client, art: Art, settings: Any
) -> None:
    settings.MUTUA_SITE_URL = "https://mutua.example"
    sales.edition_buy(buyer=art.ivan, edition=art.edition(1))
    chainwork.chain_tasks_run(community_id=art.community.pk)
    token = art.edition(1).token_id
    answer = client.get(f"/art/nft/riverbend/{token}")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    data = json.loads(answer.content)
    assert {"name", "description", "image", "attributes", "image_sha256"} <= data.keys()
    photo = art.artwork.photos.get()
    assert data["name"] == "River at Dusk (1/3)"
    assert data["image"] == f"https://mutua.example/art/photos/{photo.pk}/"
    assert data["image_sha256"] == photo.sha256
    assert data["external_url"] == f"https://mutua.example{work_url(art)}"
    assert client.get(f"/art/nft/riverbend/{token + 1}").status_code == 404
    assert client.get(f"/art/nft/elsewhere/{token}").status_code == 404


# --- the trust's stewards and the officers --------------------------------------------------------


def test_the_steward_keeps_the_mission_and_adds_a_project(client: Client, art: Art) -> None:
    url = f"/art/trust/{art.land.pk}/manage/"
    answer = as_(client, art.ruth).post(
        url,
        {"action": "profile", "profile-mission": "Homes for good.", "profile-place": "Mill Row"},
    )
    assert answer.status_code == 302
    art.trust.refresh_from_db()
    assert (art.trust.mission, art.trust.place) == ("Homes for good.", "Mill Row")
    answer = client.post(
        url,
        {
            "action": "project",
            "project-name": "Orchard",
            "project-kind": "garden",
            "project-goal": "2,000.00",
            "project-rank": "3",
        },
    )
    assert answer.status_code == 302
    assert LandProject.objects.get(name="Orchard").goal == 200_000
    bad = client.post(url, {"action": "project", "project-name": "", "project-kind": "moon"})
    assert bad.status_code == 400 and LandProject.objects.count() == 3
    public = text(client.get(f"/art/c/riverbend/trusts/{art.trust.pk}/"))
    assert "Orchard" in public and "Homes for good." in public


def test_the_trust_page_shows_what_it_raised(client: Client, art: Art) -> None:
    sales.edition_buy(buyer=art.ivan, edition=art.edition(1))
    sales.edition_buy(buyer=art.bea, edition=art.edition(2))
    page = text(client.get(f"/art/c/riverbend/trusts/{art.trust.pk}/"))
    assert '<span class="big-amount" data-testid="trust-raised">600.00</span>' in page
    assert "500.00 of 500.00 local dollars (100 %)" in page  # Mill Row is full
    assert "100.00 of 5,000.00 local dollars (2 %)" in page
    assert "Raised by month" in page and "Ada Mensah" in page


def test_the_officer_sees_every_sale_and_retries_the_chain(
    client: Client, art: Art, monkeypatch: Any
) -> None:
    sale = sales.edition_buy(buyer=art.ivan, edition=art.edition(1))
    page = text(as_(client, art.olu).get("/art/sales/"))
    assert all(transfer in page for transfer in sale.transfer_ids)
    assert "Mint the token" in page and "Retry now" in page
    answer = client.post("/art/sales/", {"action": "retry"}, follow=True)
    assert "Chain tasks: 1 done, 0 failed, 0 waiting." in text(answer)
    assert "the chain is up to date" in text(answer)
    assert as_(client, art.ivan).post("/art/sales/", {"action": "retry"}).status_code == 403


def test_a_broken_provenance_chain_is_shown_as_a_warning(
    client: Client, art: Art, monkeypatch: Any
) -> None:
    from mutua.art import selectors

    monkeypatch.setattr(
        selectors,
        "provenance_problems",
        lambda artwork: [ChainProblem(2, "content does not match its hash")],
    )
    page = text(client.get(work_url(art)))
    assert "does not verify" in page and "Event 2: content does not match its hash" in page
    assert "Verified:" not in page
