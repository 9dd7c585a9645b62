"""The community gardens' pages."""

urlpatterns: list = []
