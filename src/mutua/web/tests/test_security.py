"""Web security: CSRF on every page and API write, the production headers and cookies as gunicorn
serves them, uploaded photos checked and served safely, and sign-in throttling that a spoofed
address or another login page does not get around.

What other tests already prove is not repeated here: the deploy check (`core/tests/test_settings`),
the lockout after five failures (`web/tests/test_sign_in`), a non-image refused and a photo's basic
headers (`art/tests/test_pages`), one API write refused without CSRF (`community/tests/test_api`).
Escaping of user text on every page, and the CSRF token in every rendered form, are proven by
crawling the demo in `test_escaping`.

The CSRF walk needs no data: Django's CSRF check runs before any view, so a POST without the token
to every URL the resolver knows, with made-up ids, must be refused by it, whatever the view would
have done. A view marked `csrf_exempt` would answer something else and fail the test.
"""

import http.client
import io
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from PIL import Image

from mutua.api import api
from mutua.art import services as art_services
from mutua.art.models import Artwork, Photo
from mutua.art.tests.conftest import OBJECT, TERMS, Art, png_bytes
from mutua.art.tests.conftest import art as art  # the fixture
from mutua.art.tests.conftest import chain as chain  # the fixture `art` needs
from mutua.community.services import TOKEN_PREFIX, api_token_create
from mutua.community.tests.factories import PASSWORD
from mutua.web.security import CONTENT_SECURITY_POLICY
from mutua.web.tests.conftest import DEMO_PASSWORD, _free_port, sign_in

CSRF_REFUSED = b"CSRF verification failed"
SAMPLE_ARGUMENTS = {"uuid": str(uuid.UUID(int=1)), "int": "1", "slug": "riverbend", "path": "x"}
UNSAFE_METHODS = ("post", "put", "patch", "delete")


# --- CSRF -----------------------------------------------------------------------------------------


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """Every route the resolver knows, outside the API, as a path with sample arguments."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) != "api/v1/":
                yield from _routes(pattern.url_patterns, prefix + _route_text(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _route_text(pattern.pattern)


def _route_text(pattern: Any) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(
            r"<(?:(\w+):)?\w+>",
            lambda match: SAMPLE_ARGUMENTS.get(match.group(1) or "str", "x"),
            str(pattern),
        )
    # The admin's few regular expressions: the app list (`^(?P<app_label>auth|...)/$`) and the
    # catch-all; the first alternative of a group, or nothing, is a path that resolves.
    text = str(pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<\w+>([^|)]*)[^)]*\)", r"\1", text)
    return re.sub(r"[().*+?\\]", "", text)


def test_every_page_refuses_a_post_without_the_csrf_token(town) -> None:
    routes = sorted(set(_routes(get_resolver().url_patterns)))
    assert len(routes) > 80  # the pages, the sign-in views and the operator's admin
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(town.admin)
    accepted = {}
    for route in routes:
        answer = browser.post("/" + route, {"action": "x"})
        if answer.status_code != 403 or CSRF_REFUSED not in answer.content:
            accepted[route] = answer.status_code
    assert accepted == {}, "these routes took a POST without a CSRF token"


def test_the_csrf_check_lets_a_post_with_the_token_through(town) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    token = browser.cookies["csrftoken"].value
    answer = browser.post(
        "/accounts/login/",
        {"username": town.member.handle, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302


def _unsafe_operations() -> list[tuple[str, str, bool]]:
    """Every write of the API from its OpenAPI schema: (method, path with made-up ids, whether it
    declares an authentication)."""
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in UNSAFE_METHODS:
                url = re.sub(r"\{\w+\}", SAMPLE_ARGUMENTS["uuid"], path)
                found.append((method, url, bool(operation.get("security"))))
    return found


def test_every_api_write_needs_the_csrf_token_with_a_session_and_none_with_a_bearer_token(
    town,
) -> None:
    operations = _unsafe_operations()
    assert len(operations) > 40
    assert [url for _, url, authenticated in operations if not authenticated] == []
    session = Client(enforce_csrf_checks=True)
    session.force_login(town.admin)
    bearer = {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(member=town.admin, name="t")[1]}
    for method, url, _ in operations:
        refused = getattr(session, method)(url, data={}, content_type="application/json")
        assert (refused.status_code, refused.json()) == (
            403,
            {"code": "forbidden", "message": "CSRF check Failed"},
        ), f"{method.upper()} {url}"
        # The same session with a token in the header is past the CSRF check (it then meets the
        # made-up ids or the empty body): a browser cannot add that header to a forged request.
        with_token = getattr(session, method)(
            url, data={}, content_type="application/json", **bearer
        )
        assert with_token.json().get("message") != "CSRF check Failed", f"{method.upper()} {url}"


# --- uploaded photos ------------------------------------------------------------------------------


def _image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


NOT_PHOTOS = {
    "html": b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
    "svg with a script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    ),
    "a gif (a picture, not one of ours)": _image_bytes("GIF"),
    "a png cut short": png_bytes()[:40],
    "a pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
    "nothing": b"",
}


def _draft(art: Art) -> Artwork:
    return art_services.artwork_register(
        actor=art.ada, fields=OBJECT._replace(title="Heron at Dawn"), terms=TERMS
    )


def _studio_upload(client: Client, work: Artwork, data: bytes, name: str) -> Any:
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post(
        "/art/studio/", {"action": f"photo-{work.pk}", f"photo-{work.pk}-image": upload}
    )


def _api_upload(client: Client, token: str, work: Artwork, data: bytes, name: str) -> Any:
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post(
        f"/api/v1/art/artworks/{work.pk}/photos",
        {"image": upload},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_file_that_is_not_a_jpeg_png_or_webp_photo_is_refused_whatever_it_is_called(
    client: Client, art: Art
) -> None:
    work = _draft(art)
    client.force_login(art.ada)
    token = api_token_create(member=art.ada, name="t")[1]
    message = "A photo is a JPEG, PNG or WebP image."
    for what, data in NOT_PHOTOS.items():
        page = _studio_upload(client, work, data, "heron.jpg")
        assert page.status_code == 400, what
        if data:  # an empty file is refused by the form first, as no file at all
            assert message in page.content.decode(), what
        answer = _api_upload(client, token, work, data, "heron.jpg")
        assert (answer.status_code, answer.json()["code"]) == (400, "bad_photo"), what
    assert not work.photos.exists()


def test_a_photo_over_the_limit_is_refused_with_a_clear_message(client: Client, art: Art) -> None:
    work = _draft(art)
    client.force_login(art.ada)
    token = api_token_create(member=art.ada, name="t")[1]
    # A real PNG padded past the limit (bytes after a PNG's end do not stop it being a PNG), so
    # only its size can be why it is refused.
    too_big = png_bytes() + b"\0" * (art_services.PHOTO_MAX_BYTES + 1)
    page = _studio_upload(client, work, too_big, "heron.png")
    assert page.status_code == 400 and "A photo is 8 MB at most." in page.content.decode()
    answer = _api_upload(client, token, work, too_big, "heron.png")
    assert answer.status_code == 400
    assert answer.json()["message"] == "A photo is 8 MB at most."
    assert not work.photos.exists()


def test_a_polyglot_photo_is_stored_under_its_hash_and_served_only_as_an_image(
    client: Client, art: Art
) -> None:
    """A real PNG with an HTML page after its end is a valid image, so it is accepted: what keeps
    the HTML from ever running is how it is stored and served."""
    work = _draft(art)
    client.force_login(art.ada)
    polyglot = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    answer = _studio_upload(client, work, polyglot, "../../templates/base.html")
    assert answer.status_code == 302
    photo = Photo.objects.get(artwork=work)
    assert photo.content_type == "image/png"
    assert photo.image.name == f"art/photos/{photo.sha256}.png"  # never the name it came with
    served = client.get(f"/art/photos/{photo.pk}/")
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["Content-Disposition"] == f'inline; filename="{photo.sha256}.png"'
    assert b"".join(served.streaming_content) == polyglot  # type: ignore[attr-defined]
    # Uploads are only ever served by that view, never as files under MEDIA_URL.
    assert client.get(f"/media/{photo.image.name}").status_code == 404


# --- sign-in throttling ---------------------------------------------------------------------------


def _fail(client: Client, handle: str, times: int, **headers: str) -> None:
    for _ in range(times):
        client.post("/accounts/login/", {"username": handle, "password": "wrong"}, **headers)


def test_a_forged_forwarded_address_does_not_escape_the_lockout(client, town, settings) -> None:
    """Axes counts by the connection's address (no django-ipware, so X-Forwarded-For is not
    believed): a guesser who invents a new address for every try stays locked out."""
    for attempt in range(settings.AXES_FAILURE_LIMIT + 3):
        _fail(client, "coord", 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    answer = client.post(
        "/accounts/login/",
        {"username": "coord", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert answer.status_code == 429


def test_the_lockout_holds_on_the_admin_sign_in_too_and_only_for_that_handle(
    client, town, settings
) -> None:
    town.coordinator.is_staff = True
    town.coordinator.save()
    _fail(client, "coord", settings.AXES_FAILURE_LIMIT)
    admin = client.post("/admin/login/", {"username": "coord", "password": PASSWORD})
    assert admin.status_code == 429
    assert "_auth_user_id" not in client.session
    other = client.post("/accounts/login/", {"username": town.member.handle, "password": PASSWORD})
    assert other.status_code == 302


def test_api_tokens_are_too_long_to_guess_and_kept_only_as_hashes(client, town) -> None:
    token, raw = api_token_create(member=town.member, name="laptop")
    secret = raw.removeprefix(TOKEN_PREFIX)
    assert len(secret) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert raw not in {token.token_hash, token.prefix} and len(token.prefix) < len(raw) // 2
    guess = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {guess}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


# --- production headers and cookies, as gunicorn serves them --------------------------------------


@pytest.fixture(scope="module")
def secure_server(served_demo_env: dict[str, str], tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The served demo's database behind a second gunicorn with production's security settings:
    HTTPS as a proxy reports it (`X-Forwarded-Proto`), secure cookies, HSTS, the redirect."""
    env = {**served_demo_env, "MUTUA_SECURE": "1"}
    env.pop("MUTUA_SSL_REDIRECT", None)
    port = _free_port()
    log = tmp_path_factory.mktemp("secure-server") / "gunicorn.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "mutua.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(port)
            yield f"127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_until_up(port: int) -> None:
    for _ in range(150):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("HEAD", "/")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the secure server did not start")


def _fetch(
    host: str, method: str, path: str, body: str = "", **headers: str
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request(method, path, body=body or None, headers=headers)
    answer = connection.getresponse()
    answer.read()
    return answer


HTTPS = {"X-Forwarded-Proto": "https"}


def _cookie(answer: http.client.HTTPResponse, name: str) -> str:
    found = [c for c in answer.headers.get_all("Set-Cookie") or [] if c.startswith(name + "=")]
    assert len(found) == 1, f"no {name} cookie"
    return found[0]


def test_production_redirects_to_https_and_sends_the_security_headers(secure_server: str) -> None:
    plain = _fetch(secure_server, "GET", "/accounts/login/")
    assert plain.status == 301
    assert plain.headers["Location"] == f"https://{secure_server}/accounts/login/"
    for path in ("/accounts/login/", "/static/mutua/mutua.css", "/art/c/riverbend/"):
        answer = _fetch(secure_server, "GET", path, **HTTPS)
        assert answer.status == 200, path
        assert answer.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert answer.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        if path != "/static/mutua/mutua.css":
            assert answer.headers["X-Frame-Options"] == "DENY"


def test_production_cookies_are_secure_http_only_and_same_site(secure_server: str) -> None:
    login = _fetch(secure_server, "GET", "/accounts/login/", **HTTPS)
    csrf_cookie = _cookie(login, "csrftoken")
    assert "; Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    token = csrf_cookie.split(";")[0].split("=", 1)[1]
    signed_in = _fetch(
        secure_server,
        "POST",
        "/accounts/login/",
        f"username=member&password={DEMO_PASSWORD}&csrfmiddlewaretoken={token}",
        **HTTPS,
        Origin=f"https://{secure_server}",
        Cookie=f"csrftoken={token}",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert signed_in.status == 302, signed_in.headers
    session = _cookie(signed_in, "sessionid")
    assert "; Secure" in session and "; HttpOnly" in session and "SameSite=Lax" in session
    # A form posted from another site is refused even with a stolen token pair.
    forged = _fetch(
        secure_server,
        "POST",
        "/accounts/login/",
        f"username=member&password={DEMO_PASSWORD}&csrfmiddlewaretoken={token}",
        **HTTPS,
        Origin="https://evil.example",
        Cookie=f"csrftoken={token}",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status == 403


def test_production_serves_a_photo_as_an_image_in_a_sandbox(secure_server: str) -> None:
    gallery = http.client.HTTPConnection(secure_server, timeout=30)
    gallery.request("GET", "/art/c/riverbend/", headers=HTTPS)
    html = gallery.getresponse().read().decode()
    photo_path = re.search(r"/art/photos/[0-9a-f-]{36}/", html)
    assert photo_path is not None
    photo = _fetch(secure_server, "GET", photo_path.group(0), **HTTPS)
    assert photo.status == 200
    assert photo.headers["Content-Type"] in art_services.PHOTO_TYPES.values()
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert _fetch(secure_server, "GET", "/media/art/photos/", **HTTPS).status == 404


# --- the Content-Security-Policy in a real browser ------------------------------------------------


@pytest.mark.browser
def test_the_pages_work_under_the_content_security_policy(page) -> None:  # type: ignore[no-untyped-def]
    """Chromium reports every resource or script the policy blocks on the console; the pages that
    use htmx, `mutua.js`, inline styles and SVG charts report none."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, "member")
    page.wait_for_url("**/dashboard/member/")
    for path in (
        "/currency/wallet/",
        "/community/profile/",
        "/learning/calendar/",
        "/gardens/",
        "/art/c/riverbend/",
        "/currency/qr/member/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof htmx") == "object"
    page.evaluate("window.print = () => { window.printedByMutua = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printedByMutua") is True  # mutua.js ran the data-print button
    assert blocked == []
