from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "materiel.bench"
    verbose_name = "Đo hiệu năng"
