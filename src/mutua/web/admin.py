"""The platform operator's Django admin: superusers only, because it reads across communities.

Community staff use Mutua's own pages, which are scoped to their community. Private household
needs are not registered here at all: they are read only through the audited selector.
"""

from django.contrib import admin
from django.http import HttpRequest

admin.site.site_header = "Mutua operator admin"
admin.site.site_title = "Mutua admin"


def _superuser_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
