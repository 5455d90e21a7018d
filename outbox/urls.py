from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "outbox"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<id:pk>/send-again/", views.send_again, name="send_again"),
    path("opt-out/<str:token>/", views.opt_out, name="opt_out"),
]
