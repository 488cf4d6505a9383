from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "materiel.imports"
    label = "imports"
    verbose_name = "Nhập từ Excel"
