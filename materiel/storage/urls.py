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
]
