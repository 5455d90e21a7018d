from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "capture"

urlpatterns = [
    path("capture/review/", views.review_queue, name="review"),
    path("capture/messages/<id:pk>/", views.message, name="message"),
    path(
        "capture/messages/<id:pk>/addresses/<id:address_pk>/assign/",
        views.assign,
        name="assign",
    ),
    path(
        "capture/messages/<id:pk>/addresses/<id:address_pk>/person/",
        views.create_person,
        name="create_person",
    ),
    path("capture/messages/<id:pk>/accept/", views.accept, name="accept"),
    path("capture/messages/<id:pk>/discard/", views.discard, name="discard"),
    path("capture/attachments/<id:pk>/", views.attachment, name="attachment"),
]
