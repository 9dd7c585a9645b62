from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArtConfig(AppConfig):
    name = "mutua.art"
    label = "art"
    verbose_name = _("Art for land")
