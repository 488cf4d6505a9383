from django.apps import AppConfig


class WorkOrdersConfig(AppConfig):
    name = "materiel.workorders"
    label = "workorders"
    verbose_name = "Phiếu công việc và sửa chữa"
