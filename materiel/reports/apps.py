from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "materiel.reports"
    label = "reports"
    verbose_name = "Báo cáo"
