from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "materiel.people"
    label = "people"
    verbose_name = "Cán bộ, nhân viên kỹ thuật"
