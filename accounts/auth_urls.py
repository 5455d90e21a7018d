"""The sign-in addresses other code and Django name without a namespace: sign in, sign out,
and the invitation link already sent in emails."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<uidb64>/<token>/", views.accept_invitation, name="accept_invitation"),
]
