from django.contrib.auth import views as auth_views
from django.urls import path

from . import bulk, handovers, layouts, printing, receipts, reports_index, unit_picker, views
from .middleware import public

app_name = "web"

urlpatterns = [
    path("dang-nhap/", public(auth_views.LoginView.as_view(template_name="web/login.html")), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("don-vi/", views.unit_tree, name="units"),
    path("don-vi/goi-y/", unit_picker.unit_suggestions, name="unit_suggestions"),
    path("trang-bi/", views.register, name="register"),
    path("trang-bi/<int:pk>/", views.item_detail, name="item"),
    path("trang-bi/<int:pk>/ghi/<str:action>/", views.item_action, name="item_action"),
    path("su-kien/<int:pk>/huy/", views.reverse_event_view, name="reverse_event"),
    path("trang-bi/in/", printing.register_print, name="register_print"),
    path("trang-bi/in/so-trang.css", printing.page_numbers_css, name="print_page_numbers"),
    path("trang-bi/hang-loat/", bulk.register_bulk, name="register_bulk"),
    path("trang-bi/<int:pk>/in/", printing.item_print, name="item_print"),
    path("trang-bi/<int:pk>/nhan/", printing.item_label_print, name="item_label"),
    path("bao-cao/", reports_index.reports_index, name="reports"),
    path("van-ban/mau/", layouts.profile_list, name="profiles"),
    path("van-ban/mau/them/", layouts.profile_edit, name="profile_add"),
    path("van-ban/mau/<slug:code>/", layouts.profile_edit, name="profile_edit"),
    path("van-ban/mau/<slug:code>.css", layouts.profile_stylesheet, name="profile_css"),
    path("bien-ban/", handovers.handover_list, name="handovers"),
    path("bien-ban/<int:pk>/", handovers.handover_detail, name="handover"),
    path("bien-ban/<int:pk>/in/", handovers.handover_print, name="handover_print"),
    # Receipts and lot movements (web.receipts)
    path("trang-bi/tiep-nhan/", receipts.receive, name="receive"),
    path("trang-bi/tiep-nhan/so-hieu/", receipts.serial_preview, name="serial_preview"),
    path("theo-lo/tiep-nhan/", receipts.receive_lot, name="receive_lot"),
    path("theo-lo/<int:pk>/xuat/", receipts.lot_issue, name="lot_issue"),
    path("theo-lo/<int:pk>/dieu-chuyen/", receipts.lot_transfer, name="lot_transfer"),
]
