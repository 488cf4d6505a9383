from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "materiel.documents"
    label = "documents"
    verbose_name = "Văn bản"
