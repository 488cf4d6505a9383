from django.urls import path

from . import compliance_views as views

app_name = "inspection_compliance"

urlpatterns = [
    path("kiem-tra/thuc-hien/", views.compliance_page, name="page"),
    path("kiem-tra/thuc-hien/chi-tiet/", views.compliance_detail, name="detail"),
    path("kiem-tra/thuc-hien/xlsx/", views.compliance_xlsx, name="xlsx"),
]
