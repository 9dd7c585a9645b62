from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GardensConfig(AppConfig):
    name = "mutua.gardens"
    label = "gardens"
    verbose_name = _("Community gardens")
