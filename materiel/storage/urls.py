from django.urls import path

from . import views

app_name = "storage"

urlpatterns = [
    path("kho/", views.places, name="places"),
    path("kho/them/", views.place_create, name="place_create"),
    path("kho/<int:pk>/", views.place_edit, name="place_edit"),
    path("kho/<int:pk>/danh-sach/", views.place_items, name="place_items"),
    path("kho/<int:pk>/ban-in/", views.place_print, name="place_print"),
    path("trang-bi/<int:pk>/noi-cat-giu/", views.relocate, name="relocate"),
    path("kho/<int:pk>/so-theo-doi/", views.depot_log_page, name="depot_log"),
    path("kho/<int:pk>/so-theo-doi/nhap-thang/", views.depot_month, name="depot_month"),
    path("kho/<int:pk>/so-theo-doi/ban-in/", views.depot_log_print, name="depot_log_print"),
    path("kho/canh-bao/", views.depot_alarms, name="depot_alarms"),
    path("kho/canh-bao/<int:pk>/xac-nhan/", views.acknowledge, name="acknowledge"),
]
