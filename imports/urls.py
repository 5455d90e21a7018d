from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.index, name="index"),
    path("imports/<id:pk>/", views.job, name="job"),
    path("imports/<id:pk>/file/", views.replace_file, name="replace_file"),
    path("imports/<id:pk>/sheet/", views.choose_sheet, name="choose_sheet"),
    path("imports/<id:pk>/import/", views.commit, name="commit"),
    path("imports/<id:pk>/undo/", views.undo, name="undo"),
]
