from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("su-kien/", views.events_page, name="events"),
    path("bao-cao/he-so-don-vi/", views.units_export, name="units"),
    path("bao-cao/so-luong-chat-luong/", views.quantity_page, name="quantity"),
]
