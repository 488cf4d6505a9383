from django.urls import path

from . import views

app_name = "workorders"

urlpatterns = [
    path("phieu-cong-viec/", views.order_list, name="list"),
    path("phieu-cong-viec/lap/", views.order_create, name="create"),
    path("phieu-cong-viec/<int:pk>/", views.order_detail, name="detail"),
    path("phieu-cong-viec/<int:pk>/sua/", views.edit, name="edit"),
    path("phieu-cong-viec/<int:pk>/trang-bi/", views.add_item, name="add_item"),
    path("phieu-cong-viec/<int:pk>/gio-cong/", views.add_labour, name="add_labour"),
    path("phieu-cong-viec/<int:pk>/phu-tung/", views.add_part, name="add_part"),
    path("phieu-cong-viec/<int:pk>/bo-dong/", views.remove_line, name="remove_line"),
    path("phieu-cong-viec/<int:pk>/chuyen/", views.move, name="move"),
    path("phieu-cong-viec/<int:pk>/hoan-thanh/", views.close, name="close"),
    path("phieu-cong-viec/<int:pk>/ban-in/", views.order_print, name="print"),
    path("phieu-cong-viec/do-tin-cay/", views.reliability, name="reliability"),
    path("danh-muc/sua-chua/", views.repair_catalogue, name="repair_catalogue"),
]
