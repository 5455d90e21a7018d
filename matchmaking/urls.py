from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import network_views, suggestion_views, views

app_name = "matchmaking"
urlpatterns = [
    path("introductions/", views.board, name="board"),
    path("introductions/<id:pk>/", views.introduction, name="introduction"),
    path("introductions/<id:pk>/move/", views.move, name="move"),
    path(
        "introductions/answer/<str:token>/", views.introduction_answer, name="introduction_answer"
    ),
    path("partners/<id:pk>/introduce/", views.introduce, name="introduce"),
    path("suggestions/", suggestion_views.overview, name="suggestions"),
    path("suggestions/recompute/", suggestion_views.recompute, name="recompute"),
    path(
        "suggestions/recompute/<id:pk>/",
        suggestion_views.recompute_progress,
        name="recompute_progress",
    ),
    path("suggestions/<id:need>/<id:offer>/accept/", suggestion_views.accept, name="accept"),
    path("suggestions/<id:need>/<id:offer>/dismiss/", suggestion_views.dismiss, name="dismiss"),
    path("suggestions/<id:need>/<id:offer>/snooze/", suggestion_views.snooze, name="snooze"),
    path("needs/<id:pk>/suggestions/", suggestion_views.need_suggestions, name="need_suggestions"),
    path("partners/<id:pk>/buyers/", suggestion_views.partner_buyers, name="partner_buyers"),
    path("chains/<id:pk>/matchmaking/", suggestion_views.chain_settings, name="chain_settings"),
    path("chains/<id:pk>/gaps/", network_views.chain_gaps, name="chain_gaps"),
    path("chains/<id:pk>/network/", network_views.network_map, name="chain_network"),
    path("chains/<id:pk>/network.json", network_views.network_data, name="chain_network_data"),
    path("network/", network_views.network_map, name="network"),
    path("network.json", network_views.network_data, name="network_data"),
    path(
        "partners/<id:pk>/relationships/add/",
        network_views.relationship_create,
        name="relationship_create",
    ),
]
