from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("danh-muc/", views.catalogue, name="index"),
    path("danh-muc/nhom/them/", views.category_create, name="category_create"),
    path("danh-muc/nhom/<int:pk>/", views.category_edit, name="category_edit"),
    path("danh-muc/chung-loai/them/", views.type_create, name="type_create"),
    path("danh-muc/chung-loai/<int:pk>/", views.type_edit, name="type_edit"),
    path("danh-muc/chung-loai/<int:pk>/dong-bo/", views.type_kit, name="type_kit"),
    path("danh-muc/bien-che/", views.holdings, name="holdings"),
    path("danh-muc/bien-che/them/", views.holding_create, name="holding_create"),
    path("danh-muc/bien-che/<int:pk>/", views.holding_edit, name="holding_edit"),
]
