"""Tenancy: every community's data is fenced off from every other's, by default, in the query layer.

Models that belong to a community use `CommunityScopedManager` (django-scopes): a query through it
is filtered to the community of the current scope, and a query made when no scope is active raises
`ScopeError` instead of quietly reading every community's rows. `CommunityScopeMiddleware` opens the
scope for each request from the signed-in member's community; a visitor who is not signed in gets a
scope that matches no community at all. Commands and tests open a scope explicitly with
`community_scope(community_id)`; code that must see everything (the platform operator's Django
admin, `mutua audit verify`) says so with `scopes_disabled()`.

A scope value of `None` would mean "no filter" in django-scopes, so it is never used: "no community"
is the empty list, which filters to nothing.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django_scopes import ScopedManager, scope, scopes_disabled

__all__ = [
    "CommunityScopeMiddleware",
    "CommunityScopedManager",
    "community_scope",
    "scopes_disabled",
]

NO_COMMUNITY: list[UUID] = []


def CommunityScopedManager() -> Any:
    return ScopedManager(community="community")


@contextmanager
def community_scope(community_id: UUID | None) -> Iterator[None]:
    with scope(community=community_id if community_id is not None else NO_COMMUNITY):
        yield


def request_community_id(request: HttpRequest) -> UUID | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "community_id", None)


class CommunityScopeMiddleware:
    """Runs every view inside the scope of the signed-in member's community.

    The platform operator's Django admin runs unscoped: it is for superusers only (see `web.admin`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.path.startswith("/admin/") and user is not None and user.is_superuser:
            with scopes_disabled():
                return self.get_response(request)
        with community_scope(request_community_id(request)):
            return self.get_response(request)
