from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "materiel.units"
    label = "units"
    verbose_name = "Đơn vị"
