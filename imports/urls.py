from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<id:pk>/", views.run, name="run"),
    path("imports/<id:pk>/check/", views.check, name="check"),
    path("imports/<id:pk>/import/", views.start, name="start"),
    path("imports/<id:pk>/undo/", views.undo, name="undo"),
]
