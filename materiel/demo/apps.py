from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "materiel.demo"
    label = "demo"
