from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/code/", views.login_code, name="login_code"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/email/", views.change_email, name="change_email"),
    path("account/email/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("account/sessions/others/end/", views.end_other_sessions, name="end_other_sessions"),
    path("account/sessions/<slug:session_id>/end/", views.end_session, name="end_session"),
    path("account/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/off/", views.two_factor_disable, name="two_factor_disable"),
    path(
        "account/two-factor/recovery-codes/",
        views.new_recovery_codes,
        name="new_recovery_codes",
    ),
]
