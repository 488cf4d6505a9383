from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("materiel.accounts.urls")),
    path("", include("materiel.web.urls")),
]

handler403 = "materiel.web.views.forbidden"
