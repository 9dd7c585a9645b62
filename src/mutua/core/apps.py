from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mutua.core"
    label = "core"
    verbose_name = "Mutua core"
