"""The Content-Security-Policy every response carries, so that markup a page failed to escape
still could not run a script.

Django 5.2 has no CSP of its own; this middleware sets one header. The policy allows scripts only
from Mutua's own origin (htmx and `mutua/mutua.js` are static files): no inline `<script>`, no
`on...=` attributes, no `javascript:` links, no `eval`. Styles may be inline (the templates and the
SVG charts use `style` attributes, and htmx adds its indicator style), which lets no code run.
Images are Mutua's own or `data:`; nothing may frame a page, a form may only post back to Mutua,
and `<base>` and plugins are refused.

A response that already has a policy keeps it: an artwork photo carries a stricter one of its own
(`art.views.photo`).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
