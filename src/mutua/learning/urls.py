"""The workshops' pages."""

urlpatterns: list = []
