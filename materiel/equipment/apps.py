from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "materiel.equipment"
    label = "equipment"
    verbose_name = "Trang bị"
