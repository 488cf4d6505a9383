from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "materiel.core"
    label = "core"
