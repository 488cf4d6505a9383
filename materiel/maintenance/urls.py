from django.urls import path

from . import techday_views, views

app_name = "maintenance"

urlpatterns = [
    path("bao-duong/", views.due_board, name="board"),
    path("bao-duong/ban-in/", views.board_print, name="board_print"),
    path("bao-duong/trang-bi/<int:pk>/ghi/", views.record_done, name="record"),
    path("ngay-ky-thuat/", techday_views.planner, name="techday"),
    path("ngay-ky-thuat/lich/", techday_views.schedule_edit, name="techday_schedule"),
    path("ngay-ky-thuat/<int:pk>/", techday_views.session_detail, name="techday_session"),
    path("ngay-ky-thuat/<int:pk>/ban-in/", techday_views.session_print, name="techday_print"),
    path("ngay-ky-thuat/<int:pk>/ket-qua/", techday_views.session_results, name="techday_results"),
    path("ngay-ky-thuat/<int:pk>/bien-ban/", techday_views.session_minute, name="techday_minute"),
    path("danh-muc/bao-duong/", views.plans, name="plans"),
    path("danh-muc/bao-duong/them/", views.plan_create, name="plan_create"),
    path("danh-muc/bao-duong/<int:pk>/", views.plan_edit, name="plan_edit"),
]
