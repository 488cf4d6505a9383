from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "materiel.catalog"
    label = "catalog"
    verbose_name = "Danh mục"
