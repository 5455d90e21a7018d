from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "matchmaking"
urlpatterns = [
    path("introductions/", views.board, name="board"),
    path("introductions/<id:pk>/", views.introduction, name="introduction"),
    path("introductions/<id:pk>/move/", views.move, name="move"),
    path("partners/<id:pk>/introduce/", views.introduce, name="introduce"),
]
