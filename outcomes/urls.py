from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "outcomes"
urlpatterns = [
    path("partners/<id:pk>/outcomes/", views.partner_outcomes, name="partner"),
    path("partners/<id:pk>/outcomes/<id:report_pk>/edit/", views.edit_report, name="edit_report"),
    path(
        "partners/<id:pk>/outcomes/<id:report_pk>/delete/",
        views.delete_report,
        name="delete_report",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/report/", views.report, name="report"),
    path("dashboard/<slug:key>.csv", views.figure_csv, name="figure_csv"),
    path("export/", views.export, name="export"),
]
