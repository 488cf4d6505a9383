from django.urls import include, path

from materiel.api.main import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("materiel.api.urls")),
    path("", include("materiel.accounts.urls")),
    path("", include("materiel.imports.urls")),
    path("", include("materiel.maintenance.urls")),
    path("", include("materiel.storage.urls")),
    path("", include("materiel.workorders.urls")),
    path("", include("materiel.inspections.urls")),
    path("", include("materiel.disposal.urls")),
    path("", include("materiel.people.urls")),
    path("", include("materiel.resolutions.urls")),
    path("", include("materiel.counts.urls")),
    path("", include("materiel.inspections.compliance_urls")),
    path("", include("materiel.reports.urls")),
    path("", include("materiel.web.urls")),
    path("", include("materiel.web.catalogue.urls")),
]

handler403 = "materiel.web.views.forbidden"
