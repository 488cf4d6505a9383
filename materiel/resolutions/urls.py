from django.urls import path

from . import views

app_name = "resolutions"

urlpatterns = [
    path("nghi-quyet/", views.resolution_list, name="list"),
    path("nghi-quyet/them/", views.resolution_create, name="create"),
    path("nghi-quyet/<int:pk>/", views.resolution_detail, name="detail"),
    path("nghi-quyet/<int:pk>/tien-do/", views.resolution_progress, name="progress"),
    path("nghi-quyet/<int:pk>/tien-do/xlsx/", views.progress_xlsx, name="progress_xlsx"),
]
