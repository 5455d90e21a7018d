from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "privacy"

urlpatterns = [
    path("my/data/", views.mine, name="mine"),
    path("people/<id:pk>/data/export/", views.export, name="export"),
    path("people/<id:pk>/data/erase/", views.erase, name="erase"),
]
