"""The session's user, loaded with its roles (partners.permissions.role_of asks no query)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    """Django's ModelBackend, whose get_user also reads whether the user is in the
    Coordinators group and observes a chain, in the same query as the user row."""

    def get_user(self, user_id):
        from .permissions import role_annotations

        user = (
            get_user_model()
            ._default_manager.filter(pk=user_id)
            .annotate(**role_annotations())
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
