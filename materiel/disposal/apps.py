from django.apps import AppConfig


class DisposalConfig(AppConfig):
    name = "materiel.disposal"
    label = "disposal"
    verbose_name = "Loại khỏi biên chế, thanh lý"
