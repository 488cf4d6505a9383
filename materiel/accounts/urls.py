from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("quan-tri/tai-khoan/", views.user_list, name="users"),
    path("quan-tri/tai-khoan/them/", views.user_create, name="user_create"),
    path("quan-tri/tai-khoan/<int:pk>/", views.user_edit, name="user_edit"),
    path("quan-tri/vai-tro/", views.role_policy, name="role_policy"),
    path("quan-tri/nhat-ky/", views.audit_log, name="audit"),
    path("doi-mat-khau/", views.password_change, name="password"),
    path("xac-thuc-hai-lop/", views.otp_verify, name="otp_verify"),
    path("xac-thuc-hai-lop/thiet-lap/", views.otp_setup, name="otp_setup"),
]
