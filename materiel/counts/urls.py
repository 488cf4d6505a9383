from django.urls import path

from . import views

app_name = "counts"

urlpatterns = [
    path("kiem-ke/", views.campaigns, name="list"),
    path("kiem-ke/them/", views.campaign_create, name="create"),
    path("kiem-ke/<int:pk>/", views.campaign, name="detail"),
    path("kiem-ke/<int:pk>/bien-ban/", views.minute, name="minute"),
    path("kiem-ke/phieu/<int:pk>/", views.sheet, name="sheet"),
    path("kiem-ke/phieu/<int:pk>/ban-in/", views.sheet_print, name="sheet_print"),
    path("kiem-ke/phieu/<int:pk>/xlsx/", views.sheet_export, name="sheet_export"),
]
