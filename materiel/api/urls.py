from django.urls import path

from . import views

app_name = "apikeys"

urlpatterns = [
    path("khoa-api/", views.token_list, name="tokens"),
    path("khoa-api/<int:pk>/thu-hoi/", views.token_revoke, name="revoke"),
]
