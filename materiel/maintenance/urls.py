from django.urls import path

from . import views

app_name = "maintenance"

urlpatterns = [
    path("bao-duong/", views.due_board, name="board"),
    path("bao-duong/ban-in/", views.board_print, name="board_print"),
    path("bao-duong/trang-bi/<int:pk>/ghi/", views.record_done, name="record"),
    path("danh-muc/bao-duong/", views.plans, name="plans"),
    path("danh-muc/bao-duong/them/", views.plan_create, name="plan_create"),
    path("danh-muc/bao-duong/<int:pk>/", views.plan_edit, name="plan_edit"),
]
