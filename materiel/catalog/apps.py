from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "materiel.catalog"
    label = "catalog"
    verbose_name = "Danh mục"

    def ready(self) -> None:
        from . import grades

        grades.connect()
