"""Request middleware of the community app.

`BearerTokenMiddleware` signs API requests in from `Authorization: Bearer <token>` *before* the
tenancy middleware opens the community scope, so a token request is scoped exactly like a browser
session. A bearer request is not exposed to CSRF (a browser never adds the header by itself), so the
CSRF check is skipped for it, and only for it. A wrong, revoked or inactive token leaves the request
anonymous, and the API answers 401.

`PreferredLanguageMiddleware` shows a signed-in member the site in their preferred language unless
they picked one with the switcher (the language cookie) in this browser.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from mutua.community.models import ApiToken
from mutua.community.services import token_hash

USE_RECORD_EVERY = 60  # seconds: `last_used_at` is refreshed at most once a minute per token


class BearerTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        request.api_token = None  # type: ignore[attr-defined]
        if scheme.lower() == "bearer" and raw.strip():
            token = (
                ApiToken.objects.select_related("member")
                .filter(token_hash=token_hash(raw.strip()), revoked_at__isnull=True)
                .first()
            )
            if token is not None and token.member.is_active:
                request.user = token.member
                request.api_token = token  # type: ignore[attr-defined]
                request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
                now = timezone.now()
                if (
                    token.last_used_at is None
                    or (now - token.last_used_at).total_seconds() > USE_RECORD_EVERY
                ):
                    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return self.get_response(request)


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.preferred_language in dict(settings.LANGUAGES)
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)
