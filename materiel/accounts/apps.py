from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "materiel.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
