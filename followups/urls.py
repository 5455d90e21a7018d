from django.urls import path

from . import views

app_name = "followups"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("opt-out/<str:token>/", views.opt_out, name="opt_out"),
]
