from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "materiel.web"
    label = "web"
