from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "materiel.api"
    label = "api"
    verbose_name = "API"
