from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in and keeping an account: sign-in with a second factor, password reset and
    change, email change, the user's sessions, and accepting an invitation to sign in."""

    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from vcc import hooks

        from . import emails, selectors, services
        from .personal_data import PERSON_DATA

        hooks.register_person_data(PERSON_DATA)

        hooks.person_invited.connect(
            emails.invitation_receiver, dispatch_uid="accounts.invitation_email"
        )
        user_logged_in.connect(services.record_session, dispatch_uid="accounts.record_session")
        user_logged_out.connect(services.forget_session, dispatch_uid="accounts.forget_session")
        hooks.register(
            hooks.PERSON_SECTIONS,
            hooks.PageSection(
                key="sign_in",
                label="Sign-in",
                template="accounts/_person_sign_in.html",
                context=lambda request, person: {
                    "sign_in_invitations": selectors.invitation_deliveries(person, request.user)
                },
            ),
        )
