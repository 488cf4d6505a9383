from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    name = "materiel.resolutions"
    label = "resolutions"
    verbose_name = "Nghị quyết, chỉ thị và việc thực hiện"
