from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .middleware import public

app_name = "web"

urlpatterns = [
    path("dang-nhap/", public(auth_views.LoginView.as_view(template_name="web/login.html")), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("don-vi/", views.unit_tree, name="units"),
    path("trang-bi/", views.register, name="register"),
    path("trang-bi/<int:pk>/", views.item_detail, name="item"),
    path("trang-bi/<int:pk>/ghi/<str:action>/", views.item_action, name="item_action"),
    path("su-kien/<int:pk>/huy/", views.reverse_event_view, name="reverse_event"),
]
