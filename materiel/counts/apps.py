from django.apps import AppConfig


class CountsConfig(AppConfig):
    name = "materiel.counts"
    label = "counts"
    verbose_name = "Kiểm kê, đánh giá phân cấp chất lượng"
