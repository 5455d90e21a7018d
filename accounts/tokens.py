"""The single-use links of accounts: Django's password reset tokens, bound to the password
hash and last sign-in, so each stops working once it has been used."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """An invitation's link to set a first password: valid VCC_INVITATION_TIMEOUT (7 days),
    longer than a password reset's hour. Its own salt, so a reset link cannot pass for an
    invitation and live a week."""

    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        # Django's check, with the invitation's lifetime in place of PASSWORD_RESET_TIMEOUT.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.VCC_INVITATION_TIMEOUT


invitation_token_generator = InvitationTokenGenerator()
