from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoopConfig(AppConfig):
    name = "mutua.coop"
    label = "coop"
    verbose_name = _("Food co-op")
