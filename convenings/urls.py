from django.urls import path

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "convenings"

urlpatterns = [
    path("convenings/", views.convening_list, name="list"),
    path("convenings/new/", views.convening_create, name="create"),
    path("convenings/<id:pk>/", views.convening_detail, name="detail"),
    path("convenings/<id:pk>/edit/", views.convening_edit, name="edit"),
    path("convenings/<id:pk>/invite/", views.convening_invite, name="invite"),
    path("convenings/<id:pk>/cancel/", views.convening_cancel, name="cancel"),
    path(
        "convenings/<id:pk>/attendance/<id:invitee_pk>/",
        views.convening_attendance,
        name="attendance",
    ),
    path("convenings/<id:pk>/minutes/", views.convening_minutes, name="minutes"),
    path("convenings/<id:pk>/rsvp/", views.convening_rsvp, name="rsvp"),
    path("convenings/<id:pk>/actions/new/", views.convening_action_create, name="action_new"),
    path("convenings/<id:pk>/calendar.ics", views.convening_ics, name="ics"),
    path("rsvp/<str:token>/", views.rsvp_link, name="rsvp_link"),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/invitations/<id:pk>/rsvp/", views.invitation_rsvp, name="invitation_rsvp"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<id:pk>/", views.group_detail, name="group"),
    path("groups/<id:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<id:pk>/meetings/new/", views.group_convening_create, name="group_meeting"),
    path("groups/<id:pk>/actions/new/", views.group_action_create, name="group_action"),
    path("actions/<id:pk>/", views.action_detail, name="action"),
    path("actions/overdue/", views.overdue_actions, name="overdue"),
    path("actions/mine/", views.my_actions, name="my_actions"),
]
