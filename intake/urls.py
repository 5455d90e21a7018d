from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "intake"

urlpatterns = [
    path("intake/", views.review_queue, name="review"),
    path("intake/new/", views.new_form, name="new"),
    path("intake/<id:pk>/", views.form_page, name="form"),
    path("answers/<id:pk>/", views.submission, name="submission"),
    path("answers/<id:pk>/accept/", views.accept, name="accept"),
    path("answers/<id:pk>/reject/", views.reject, name="reject"),
    path("join/<str:token>/", views.public_form, name="public"),
    path("join/<str:token>/thanks/", views.thanks, name="thanks"),
]
