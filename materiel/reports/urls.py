from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("su-kien/", views.events_page, name="events"),
    path("bao-cao/he-so-don-vi/", views.units_export, name="units"),
    path("bao-cao/so-luong-chat-luong/", views.quantity_page, name="quantity"),
    path("bao-cao/so-luong-chat-luong/luu/", views.quantity_save, name="quantity_save"),
    path("bao-cao/da-luu/<int:pk>/", views.saved_run, name="saved_run"),
]
