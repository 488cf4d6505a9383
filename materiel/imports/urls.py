from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("nhap-xuat/", views.import_list, name="list"),
    path("nhap-xuat/tai-len/", views.upload, name="upload"),
    path("nhap-xuat/nhap/<int:pk>/", views.job_page, name="job"),
    path("nhap-xuat/nhap/<int:pk>/tien-do/", views.job_progress, name="progress"),
    path("nhap-xuat/nhap/<int:pk>/cot/", views.remap, name="remap"),
    path("nhap-xuat/nhap/<int:pk>/trang-tinh/", views.choose_sheet, name="sheet"),
    path("nhap-xuat/nhap/<int:pk>/chung-loai/", views.map_types, name="types"),
    path("nhap-xuat/nhap/<int:pk>/truoc-thanh-lap/", views.place_history, name="history"),
    path("nhap-xuat/nhap/<int:pk>/ghi/", views.confirm, name="confirm"),
    path("nhap-xuat/nhap/<int:pk>/huy/", views.cancel, name="cancel"),
    path("nhap-xuat/nhap/<int:pk>/thu-lai/", views.retry, name="retry"),
    path("nhap-xuat/nhap/<int:pk>/hoan-tac/", views.revert, name="revert"),
]
