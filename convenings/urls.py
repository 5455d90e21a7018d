from django.urls import path

from . import views

app_name = "convenings"

urlpatterns = [
    path("convenings/", views.convening_list, name="list"),
    path("convenings/new/", views.convening_create, name="create"),
    path("convenings/<int:pk>/", views.convening_detail, name="detail"),
    path("convenings/<int:pk>/edit/", views.convening_edit, name="edit"),
    path("convenings/<int:pk>/invite/", views.convening_invite, name="invite"),
    path(
        "convenings/<int:pk>/attendance/<int:invitee_pk>/",
        views.convening_attendance,
        name="attendance",
    ),
    path("convenings/<int:pk>/minutes/", views.convening_minutes, name="minutes"),
    path("convenings/<int:pk>/rsvp/", views.convening_rsvp, name="rsvp"),
    path("convenings/<int:pk>/actions/new/", views.convening_action_create, name="action_new"),
    path("convenings/<int:pk>/calendar.ics", views.convening_ics, name="ics"),
    path("rsvp/<str:token>/", views.rsvp_link, name="rsvp_link"),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/invitations/<int:pk>/rsvp/", views.invitation_rsvp, name="invitation_rsvp"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/meetings/new/", views.group_convening_create, name="group_meeting"),
    path("groups/<int:pk>/actions/new/", views.group_action_create, name="group_action"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/overdue/", views.overdue_actions, name="overdue"),
    path("actions/mine/", views.my_actions, name="my_actions"),
]
