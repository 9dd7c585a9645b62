"""Art for land's pages.

Public, for anyone, signed in or not (a community by its slug, read inside that community's
scope, as the transparency page does): the gallery, an artwork with its editions, custody and
provenance timeline, an artist, a land trust with its thermometer, a photo's bytes, a token's
metadata (`/art/nft/<slug>/<token id>`, the path the edition contract's base URI names) and the
operators' legal note. Signed-in members of the community also see the artwork's actions (buy an
edition, buy, list or withdraw a listing, confirm or propose a hand-off).

Signed in: the artist's studio, a member's editions and hand-offs (`mine`), a land trust's
stewardship page, and the officers' sales and chain-tasks page.

Each page lists its actions (`web.actions.Act`); each action calls one service, and a refused one
shows its reason beside the form with nothing changed. A button acts on the object its hidden
`id` names, looked up among the objects the page shows; a form with fields per object (a price, a
photo, terms) carries the object's id in its action's name, so its errors show beside that
object. Money is local cents; the pages write it as local dollars (`money`).
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from mutua.aid.forms import IdForm
from mutua.art import chainwork, sales, selectors, services
from mutua.art import forms as art_forms
from mutua.art.models import (
    Artwork,
    ChainTaskState,
    Edition,
    Handoff,
    LandTrust,
    Listing,
    ListingStatus,
    Photo,
    ProvenanceEvent,
    SaleKind,
)
from mutua.art.services import TrustScope
from mutua.community.models import Community, Member, Organization
from mutua.community.permissions import may, require, signed_in
from mutua.community.roles import OrganizationKind
from mutua.core.errors import Conflict, NotFound, Refused
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope, scopes_disabled
from mutua.web.actions import GET_POST, Act, Done, act, one_of, page
from mutua.web.charts import bar_chart
from mutua.web.templatetags.mutua import bps_percent, money


def buyer_word() -> str:
    """What the pages call an edition's buyer (`MUTUA_ART_INVESTOR_WORD`, see `/art/legal/`)."""
    return str(getattr(settings, "MUTUA_ART_INVESTOR_WORD", "investor"))


def _community(slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound(_("No such community."))
    return community


def _visitor(request: HttpRequest) -> Member | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, Member) and user.is_authenticated else None


def _money_chart(title: str, rows: list[tuple[str, int]]) -> dict[str, Any]:
    """A bar chart of local cents whose figures read as local dollars."""
    chart = bar_chart(title, rows)
    for bar in chart["bars"]:
        bar["value"] = money(bar["value"])
    return chart


# --- the public pages -----------------------------------------------------------------------------


@require_GET
def gallery(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    visitor = _visitor(request)
    member = visitor if visitor is not None and visitor.community_id == community.pk else None
    with community_scope(community.pk):
        trusts = list(selectors.trusts(community))
        context = {
            "community": community,
            "artworks": list(selectors.gallery(community)),
            "trusts": [selectors.trust_totals(t) for t in trusts],
            "word": buyer_word(),
            "member": member,
            "studio": may(member, "art.artwork.create", community),
            "officer": may(member, "art.sales.view", community),
            "stewarded": [t for t in trusts if may(member, "art.trust.manage", t)],
        }
        return render(request, "art/gallery.html", context)


def _artwork_shown(community: Community, artwork_id: UUID, visitor: Member | None) -> Artwork:
    """A published work, or a draft for its own artist; anything else does not exist here."""
    found = (
        Artwork.objects.filter(pk=artwork_id, community=community)
        .select_related("artist", "trust__organization")
        .first()
    )
    if found is None or (
        found.published_at is None and (visitor is None or visitor.pk != found.artist_id)
    ):
        raise NotFound(_("Not found."))
    return found


def _buy_acts(artwork: Artwork) -> dict[str, Act]:
    """Buying, listing and withdrawing editions, and confirming a hand-off (buttons by `id`)."""
    editions = Edition.objects.filter(artwork=artwork)

    def buy(viewer: Member, form: art_forms.EditionBuyForm) -> str:
        edition = one_of(editions, form.value)
        sale = sales.edition_buy(buyer=viewer, edition=edition, sale_id=form.once_id)
        return _("Edition %(n)s is yours: %(artist)s to the artist, %(trust)s to %(name)s.") % {
            "n": edition.number,
            "artist": money(sale.artist_amount),
            "trust": money(sale.trust_amount),
            "name": artwork.trust.organization.name,
        }

    def resale(viewer: Member, form: art_forms.EditionBuyForm) -> str:
        listing = one_of(Listing.objects.filter(edition__artwork=artwork), form.value)
        sale = sales.listing_buy(buyer=viewer, listing=listing, sale_id=form.once_id)
        return _("Edition %(n)s is yours; %(trust)s of its royalty goes to %(name)s.") % {
            "n": listing.edition.number,
            "trust": money(sale.trust_amount),
            "name": artwork.trust.organization.name,
        }

    return {
        "buy": Act(art_forms.EditionBuyForm, buy),
        "resale": Act(art_forms.EditionBuyForm, resale),
        "withdraw": Act(IdForm, _withdraw(editions)),
        "confirm": Act(IdForm, _confirm(Handoff.objects.filter(artwork=artwork))),
    }


def _withdraw(editions: Any) -> Any:
    def run(viewer: Member, form: IdForm) -> str:
        edition = one_of(editions, form.value)
        listing = Listing.objects.filter(edition=edition, status=ListingStatus.OPEN).first()
        if listing is None:
            raise Conflict(_("This listing is no longer open."), code="not_open")
        sales.listing_withdraw(actor=viewer, listing=listing)
        return _("Edition %(n)s is no longer for sale.") % {"n": edition.number}

    return run


def _confirm(handoffs: Any) -> Any:
    def run(viewer: Member, form: IdForm) -> str:
        handoff = one_of(handoffs, form.value)
        services.handoff_confirm(actor=viewer, handoff=handoff)
        return _("Hand-off confirmed: thank you.")

    return run


def _list_act(edition: Edition) -> Act:
    def run(viewer: Member, form: art_forms.ListForm) -> str:
        listing = sales.listing_create(
            actor=viewer, edition=edition, price=form.cleaned_data["price"]
        )
        return _("Edition %(n)s is for sale at %(price)s.") % {
            "n": edition.number,
            "price": money(listing.price),
        }

    return Act(art_forms.ListForm, run)


def _handoff_act(artwork: Artwork, community: Community) -> Act:
    def run(viewer: Member, form: art_forms.HandoffForm) -> str:
        fields = form.fields_value(released_by=viewer)
        services.handoff_propose(actor=viewer, artwork=artwork, fields=fields)
        return _("Hand-off recorded: it counts once %(name)s confirms it.") % {
            "name": fields.received_by.display_name
        }

    options = {
        "members": Member.objects.filter(community=community, is_active=True),
        "organizations": Organization.objects.filter(community=community),
    }
    return Act(art_forms.HandoffForm, run, options)


def _edition_rows(
    editions: list[Edition], visitor: Member | None, shown: dict[str, Any], can_buy: bool
) -> list[dict[str, Any]]:
    rows = []
    for edition in editions:
        listing = edition.open_listing  # type: ignore[attr-defined]
        mine = visitor is not None and edition.holder_id == visitor.pk
        rows.append(
            {
                "edition": edition,
                "listing": listing,
                "task": edition.pending_task,  # type: ignore[attr-defined]
                "mine": mine,
                "can_buy": can_buy and edition.original_investor_id is None,
                "can_resale": can_buy and listing is not None and not mine,
                "list_form": shown.get(f"list-{edition.pk}") if mine and listing is None else None,
                "once": new_id(),
            }
        )
    return rows


@GET_POST
def artwork_page(request: HttpRequest, slug: str, artwork_id: UUID) -> HttpResponse:
    community = _community(slug)
    visitor = _visitor(request)
    member = visitor if visitor is not None and visitor.community_id == community.pk else None
    if request.method == "POST" and member is None:
        if visitor is None:
            return redirect_to_login(request.get_full_path())
        raise NotFound(_("Not found."))
    with community_scope(community.pk):
        artwork = _artwork_shown(community, artwork_id, visitor)
        detail = selectors.artwork_detail(artwork)
        acts: dict[str, Act] = {}
        custodian = detail["custodian"]
        pending = next((h for h in detail["handoffs"] if not h.confirmed), None)
        if member is not None:
            acts = _buy_acts(artwork)
            for edition in detail["editions"]:
                if edition.holder_id == member.pk:
                    acts[f"list-{edition.pk}"] = _list_act(edition)
            if custodian.member.pk == member.pk and pending is None:
                acts["handoff"] = _handoff_act(artwork, community)
        shown, done = act(request, member, acts) if member is not None else ({}, None)
        if done is not None:
            return done
        can_buy = (
            member is not None
            and artwork.published_at is not None
            and artwork.artist_id != member.pk
            and may(member, "art.edition.buy", artwork)
        )
        confirmed_by = {c.member_id for c in pending.confirmations.all()} if pending else set()
        context = {
            **detail,
            "community": community,
            "member": member,
            "word": buyer_word(),
            "terms": _terms_words(artwork),
            "rows": _edition_rows(detail["editions"], member, shown, can_buy),
            "events": [(e, _event_line(e)) for e in detail["timeline"].events],
            "pending": pending,
            "can_confirm": member is not None
            and pending is not None
            and member.pk in (pending.released_by_id, pending.received_by_id)
            and member.pk not in confirmed_by,
            "forms": shown,
        }
        return page(request, "art/artwork.html", context, *shown.values())


def _terms_words(artwork: Artwork) -> dict[str, str]:
    """The terms as the page says them: percentages and local dollars."""
    artist_part = artwork.price * artwork.artist_bps // 10_000
    return {
        "price": money(artwork.price),
        "artist_pct": bps_percent(artwork.artist_bps),
        "artist_part": money(artist_part),
        "trust_pct": bps_percent(10_000 - artwork.artist_bps),
        "trust_part": money(artwork.price - artist_part),
        "royalty_pct": bps_percent(artwork.royalty_bps),
        "investor_pct": bps_percent(artwork.investor_bps),
        "artist_royalty_pct": bps_percent(artwork.artist_royalty_bps),
        "union_pct": bps_percent(artwork.union_bps),
    }


# How each provenance event reads, filled from its content: people by their names, amounts (ints)
# as local dollars.
EVENT_LINES = {
    "registered": _lazy("Registered by %(artist)s for %(trust)s."),
    "published": _lazy("Published: %(editions)s editions at %(price)s each."),
    "photo": _lazy("Photo added, SHA-256 %(sha)s…"),
    "handoff": _lazy(
        "%(released_by)s hands the work to %(received_by)s%(for_org)s at %(place)s; "
        "condition: %(condition)s"
    ),
    "custody": _lazy("%(confirmed_by)s confirmed the hand-off."),
    "sale": _lazy(
        "Edition %(edition)s sold to %(buyer)s for %(price)s: %(artist)s to the artist, "
        "%(trust)s to the trust."
    ),
    "resale": _lazy("Edition %(edition)s resold by %(seller)s to %(buyer)s for %(price)s."),
    "royalty": _lazy(
        "Royalty of %(royalty)s: %(investor)s to the first %(word)s, %(artist)s to the artist, "
        "%(credit_union)s through the credit union to the trust."
    ),
    "trust_payout": _lazy("%(amount)s paid to %(trust)s."),
    "mint": _lazy("Edition %(edition)s minted on chain as token #%(token_id)s."),
    "token_moved": _lazy("Token #%(token_id)s moved on chain from %(from)s to %(to)s."),
    "chain_royalty": _lazy(
        "Edition %(edition)s: royalties of %(received_wei)s wei received on chain."
    ),
    "listed": _lazy("Edition %(edition)s listed by %(seller)s at %(price)s."),
    "unlisted": _lazy("%(seller)s withdrew edition %(edition)s from sale."),
}


def _event_params(content: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"word": buyer_word()}
    flat = content | (content["terms"] if isinstance(content.get("terms"), dict) else {})
    for key, value in flat.items():
        if isinstance(value, dict):
            params[key] = value.get("name", "")
        elif isinstance(value, int) and not isinstance(value, bool) and key in MONEY_KEYS:
            params[key] = money(value)
        else:
            params[key] = value
    params["sha"] = str(content.get("sha256", ""))[:12]
    organization = content.get("received_for")
    params["for_org"] = _(" for %(org)s") % {"org": organization} if organization else ""
    return params


MONEY_KEYS = frozenset(
    {"price", "artist", "trust", "royalty", "investor", "credit_union", "amount", "seller_amount"}
)


def _event_line(event: ProvenanceEvent) -> str:
    """One line in plain words from an event's content (its kind's name if the content is odd)."""
    try:
        return str(EVENT_LINES[event.kind]) % _event_params(dict(event.content))
    except (KeyError, TypeError, ValueError):
        return event.get_kind_display()


@require_GET
def artist_page(request: HttpRequest, slug: str, member_id: UUID) -> HttpResponse:
    community = _community(slug)
    with community_scope(community.pk):
        artist = Member.objects.filter(pk=member_id, community=community, is_active=True).first()
        if artist is None:
            raise NotFound(_("Not found."))
        works = list(selectors.gallery(community).filter(artist=artist))
        profile = selectors.artist_profile(artist)
        if profile is None and not works:
            raise NotFound(_("Not found."))
        context = {"community": community, "artist": artist, "profile": profile, "works": works}
        return render(request, "art/artist.html", context)


@require_GET
def trust_page(request: HttpRequest, slug: str, trust_id: UUID) -> HttpResponse:
    community = _community(slug)
    with community_scope(community.pk):
        trust = (
            LandTrust.objects.filter(pk=trust_id, community=community)
            .select_related("organization")
            .first()
        )
        if trust is None:
            raise NotFound(_("Not found."))
        totals = selectors.trust_totals(trust)
        context = {
            "community": community,
            "trust": trust,
            "totals": totals,
            "artwork_chart": _money_chart(
                _("Raised by artwork (local dollars)"),
                [(title, cents) for _id, title, cents in totals.by_artwork],
            ),
            "artist_chart": _money_chart(_("Raised by artist (local dollars)"), totals.by_artist),
            "month_chart": _money_chart(
                _("Raised by month (local dollars)"),
                [(f"{month:%Y-%m}", cents) for month, cents in totals.by_month],
            ),
        }
        return render(request, "art/trust.html", context)


@require_GET
def photo(request: HttpRequest, photo_id: UUID) -> HttpResponseBase:
    """A photo's stored bytes: of a published work for anyone, of a draft for its artist only."""
    with scopes_disabled():
        found = Photo.objects.filter(pk=photo_id).select_related("artwork").first()
    visitor = _visitor(request)
    if found is None or (
        found.artwork.published_at is None
        and (visitor is None or visitor.pk != found.artwork.artist_id)
    ):
        raise NotFound(_("Not found."))
    response = FileResponse(found.image.open("rb"), content_type=found.content_type)
    extension = found.content_type.split("/")[-1]
    response["Content-Disposition"] = f'inline; filename="{found.sha256}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Bytes that are a valid image may carry more (an HTML page after a PNG's end): opened on its
    # own, a photo may load nothing and runs in a sandbox, whatever a browser makes of it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    published = found.artwork.published_at is not None
    response["Cache-Control"] = "public, max-age=86400" if published else "private, no-store"
    return response


@require_GET
def token_metadata(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    """The token's metadata JSON, at the address the edition contract's base URI names."""
    community = Community.objects.filter(slug=slug).first()
    found = None
    if community is not None:
        with community_scope(community.pk):
            found = _metadata(community, token_id)
    if found is None:
        return JsonResponse({"error": "no such token"}, status=404)
    response = JsonResponse(found)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _metadata(community: Community, token_id: int) -> dict[str, Any] | None:
    edition = (
        Edition.objects.filter(
            community=community, token_id=token_id, artwork__published_at__isnull=False
        )
        .select_related("artwork__trust__organization")
        .first()
    )
    if edition is None:
        return None
    site = settings.MUTUA_SITE_URL
    first = edition.artwork.photos.order_by("created_at").first()
    photo_url = site + reverse("art-photo", args=[first.pk]) if first is not None else ""
    page_url = site + reverse("art-artwork", args=[community.slug, edition.artwork_id])
    return selectors.token_metadata(edition, photo_url, page_url)


@require_GET
def legal(request: HttpRequest) -> HttpResponse:
    return render(request, "art/legal.html", {"word": buyer_word()})


# --- the artist's studio --------------------------------------------------------------------------


def _studio_acts(viewer: Member, works: list[Artwork], profile: Any) -> dict[str, Act]:
    community = viewer.tenant

    def profile_save(actor: Member, form: art_forms.ProfileForm) -> str:
        data = form.cleaned_data
        services.artist_profile_set(
            actor=actor, statement=data["statement"], preferred_trust=data["preferred_trust"]
        )
        return _("Your artist profile is saved.")

    def register(actor: Member, form: art_forms.ArtworkForm) -> Done:
        artwork = services.artwork_register(
            actor=actor, fields=form.object_fields(), terms=form.terms()
        )
        return Done(
            _("%(title)s is registered: add a photo, then publish it.") % {"title": artwork},
            reverse("art-studio") + f"#work-{artwork.pk}",
        )

    def publish(actor: Member, form: IdForm) -> str:
        artwork = one_of(selectors.artworks_of(actor), form.value)
        services.artwork_publish(actor=actor, artwork=artwork)
        return _("%(title)s is in the gallery; its editions are on sale.") % {"title": artwork}

    word = buyer_word()
    acts = {
        "profile": Act(
            art_forms.ProfileForm,
            profile_save,
            {"trusts": selectors.trusts(community), "profile": profile},
        ),
        "register": Act(art_forms.ArtworkForm, register, {"buyer_word": word}),
        "publish": Act(IdForm, publish),
    }
    for work in works:
        if work.published_at is None:
            acts[f"photo-{work.pk}"] = Act(art_forms.PhotoForm, _photo_run(work))
            acts[f"terms-{work.pk}"] = Act(
                art_forms.TermsForm, _terms_run(work), {"artwork": work, "buyer_word": word}
            )
        acts[f"handoff-{work.pk}"] = _handoff_act(work, community)
    return acts


def _photo_run(artwork: Artwork) -> Any:
    def run(actor: Member, form: art_forms.PhotoForm) -> str:
        found = services.photo_add(
            actor=actor,
            artwork=artwork,
            data=form.data_bytes(),
            caption=form.cleaned_data["caption"],
        )
        return _("Photo added (SHA-256 %(sha)s…).") % {"sha": found.sha256[:12]}

    return run


def _terms_run(artwork: Artwork) -> Any:
    def run(actor: Member, form: art_forms.TermsForm) -> str:
        services.artwork_terms_set(actor=actor, artwork=artwork, terms=form.terms())
        return _("The terms of %(title)s are saved.") % {"title": artwork}

    return run


@login_required
@GET_POST
def studio(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    require(viewer, "art.artwork.create", viewer.tenant)
    profile = selectors.artist_profile(viewer)
    works = list(selectors.artworks_of(viewer).prefetch_related("photos"))
    shown, done = act(request, viewer, _studio_acts(viewer, works, profile))
    if done is not None:
        return done
    rows = []
    for work in works:
        holder = services.custodian_of(work)
        pending = services.handoff_pending(work)
        handoff = shown[f"handoff-{work.pk}"]
        rows.append(
            {
                "work": work,
                "holder": holder,
                "pending": pending,
                "photo_form": shown.get(f"photo-{work.pk}"),
                "terms_form": shown.get(f"terms-{work.pk}"),
                "handoff_form": handoff
                if handoff.is_bound or (holder.member.pk == viewer.pk and pending is None)
                else None,
            }
        )
    context = {
        "profile": profile,
        "rows": rows,
        "forms": shown,
        "word": buyer_word(),
        "community": viewer.tenant,
    }
    return page(request, "art/studio.html", context, *shown.values())


# --- a member's editions, sales and hand-offs -----------------------------------------------------


def _received(viewer: Member) -> list[dict[str, Any]]:
    """Every sale that paid the member, with what it paid them and why."""
    rows = []
    for sale in selectors.sales_paying(viewer):
        parts = []
        if sale.kind == SaleKind.RESALE and sale.seller_id == viewer.pk:
            parts.append((_("sale price less the royalty"), sale.seller_amount))
        if sale.edition.artwork.artist_id == viewer.pk:
            first = sale.kind == SaleKind.PRIMARY
            label = _("artist's part") if first else _("artist's royalty")
            parts.append((label, sale.artist_amount))
        if sale.kind == SaleKind.RESALE and sale.edition.original_investor_id == viewer.pk:
            parts.append((_("royalty as first %(w)s") % {"w": buyer_word()}, sale.investor_amount))
        rows.append({"sale": sale, "parts": parts, "total": sum(p[1] for p in parts)})
    return rows


@login_required
@GET_POST
def mine(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    held = list(selectors.editions_held(viewer))
    acts = {
        "withdraw": Act(IdForm, _withdraw(Edition.objects.filter(holder=viewer))),
        "confirm": Act(
            IdForm,
            _confirm(Handoff.objects.filter(Q(released_by=viewer) | Q(received_by=viewer))),
        ),
        **{f"list-{edition.pk}": _list_act(edition) for edition in held},
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    listings = {
        listing.edition_id: listing
        for listing in Listing.objects.filter(edition__in=held, status=ListingStatus.OPEN)
    }
    rows = [
        {
            "edition": edition,
            "listing": listings.get(edition.pk),
            "list_form": shown[f"list-{edition.pk}"],
        }
        for edition in held
    ]
    context = {
        "rows": rows,
        "received": _received(viewer),
        "bought": selectors.sales_bought(viewer),
        "waiting": selectors.handoffs_waiting(viewer),
        "community": viewer.tenant,
        "word": buyer_word(),
    }
    return page(request, "art/mine.html", context, *shown.values())


# --- a land trust's stewards ----------------------------------------------------------------------


def _trust_organization(trust_or_org_id: UUID) -> tuple[Organization, LandTrust | None]:
    trust = (
        LandTrust.objects.filter(Q(pk=trust_or_org_id) | Q(organization_id=trust_or_org_id))
        .select_related("organization")
        .first()
    )
    if trust is not None:
        return trust.organization, trust
    organization = Organization.objects.filter(
        pk=trust_or_org_id, kind=OrganizationKind.LAND_TRUST
    ).first()
    if organization is None:
        raise NotFound(_("Not found."))
    return organization, None


@login_required
@GET_POST
def trust_manage(request: HttpRequest, trust_id: UUID) -> HttpResponse:
    viewer = signed_in(request)
    organization, trust = _trust_organization(trust_id)
    require(viewer, "art.trust.manage", TrustScope(organization.community_id, organization.pk))

    def profile_save(actor: Member, form: art_forms.TrustForm) -> str:
        services.trust_profile_set(actor=actor, organization=organization, **form.cleaned_data)
        return _("%(name)s's profile is saved.") % {"name": organization.name}

    def project_add(actor: Member, form: art_forms.ProjectForm) -> str:
        if trust is None:
            raise Refused(_("Write the trust's mission first."), code="no_trust")
        project = services.project_add(actor=actor, trust=trust, fields=form.fields_value())
        return _("%(name)s added.") % {"name": project.name}

    acts = {
        "profile": Act(art_forms.TrustForm, profile_save, {"trust": trust}),
        "project": Act(art_forms.ProjectForm, project_add),
    }
    shown, done = act(request, viewer, acts)
    if done is not None:
        return done
    context = {
        "organization": organization,
        "trust": trust,
        "totals": selectors.trust_totals(trust) if trust is not None else None,
        "forms": shown,
        "community": viewer.tenant,
    }
    return page(request, "art/trust_manage.html", context, *shown.values())


# --- the officers' page ---------------------------------------------------------------------------


@login_required
@GET_POST
def sales_page(request: HttpRequest) -> HttpResponse:
    viewer = signed_in(request)
    community = viewer.tenant
    require(viewer, "art.sales.view", community)

    def retry(actor: Member, form: art_forms.NoFields) -> str:
        require(actor, "art.chain.retry", community)
        found = chainwork.chain_tasks_run(community_id=community.pk)
        return _("Chain tasks: %(done)s done, %(failed)s failed, %(waiting)s waiting.") % {
            "done": found.done,
            "failed": found.failed,
            "waiting": found.waiting,
        }

    shown, done = act(request, viewer, {"retry": Act(art_forms.NoFields, retry)})
    if done is not None:
        return done
    context = {
        "sales": selectors.sales_seen_by(viewer),
        "tasks": selectors.chain_tasks(community.pk, ChainTaskState.PENDING),
        "can_retry": may(viewer, "art.chain.retry", community),
        "community": community,
        "word": buyer_word(),
    }
    return page(request, "art/sales.html", context, *shown.values())
