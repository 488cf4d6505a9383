from django.urls import path

from . import training_views, views

app_name = "people"

urlpatterns = [
    path("can-bo/", views.people, name="list"),
    path("can-bo/them/", views.person_create, name="create"),
    path("can-bo/ban-in/", views.people_print, name="print"),
    path("can-bo/xlsx/", views.people_export, name="export"),
    path("can-bo/<int:pk>/", views.person, name="detail"),
    path("can-bo/chung-chi/", views.certifications, name="certifications"),
    path("can-bo/dieu-kien-cap-phat/", views.gate, name="gate"),
    path("can-bo/khoa-hoc/", training_views.courses, name="courses"),
    path("can-bo/khoa-hoc/<int:pk>/", training_views.course, name="course"),
    path("can-bo/thi-nang-bac/", training_views.exams, name="exams"),
    path("can-bo/hoi-thi/", training_views.contests, name="contests"),
    path("can-bo/hoi-thi/<int:pk>/", training_views.contest, name="contest"),
    path("can-bo/sang-kien/", training_views.initiatives, name="initiatives"),
    path("can-bo/sang-kien/<int:pk>/", training_views.initiative, name="initiative"),
]
