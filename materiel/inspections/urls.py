from django.urls import path

from . import reference_views, views

app_name = "inspections"

urlpatterns = [
    path("kiem-tra/", views.run_list, name="list"),
    path("kiem-tra/lap/", views.run_create, name="create"),
    path("kiem-tra/<int:pk>/", views.run_detail, name="detail"),
    path("kiem-tra/<int:pk>/ban-in/", views.run_print, name="print"),
    path("kiem-tra/bien-phap/", views.action_list, name="actions"),
    path("kiem-tra/mau-phieu/", reference_views.template_list, name="templates"),
    path("kiem-tra/mau-phieu/them/", reference_views.template_create, name="template_create"),
    path("kiem-tra/mau-phieu/<int:pk>/", reference_views.template_detail, name="template"),
    path("kiem-tra/mau-phieu/<int:pk>/sua/", reference_views.template_edit, name="template_edit"),
    path("kiem-tra/ma-tran/", reference_views.duty_list, name="duties"),
    path("kiem-tra/ma-tran/them/", reference_views.duty_create, name="duty_create"),
    path("kiem-tra/ma-tran/<int:pk>/", reference_views.duty_edit, name="duty_edit"),
]
