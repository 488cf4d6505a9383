from django.urls import path

from . import views

app_name = "disposal"

urlpatterns = [
    path("thanh-ly/", views.proposals, name="list"),
    path("thanh-ly/them/", views.proposal_create, name="create"),
    path("thanh-ly/<int:pk>/", views.proposal, name="detail"),
    path("thanh-ly/<int:pk>/ban-in/", views.proposal_print, name="print"),
]
