from django.contrib.auth.models import AnonymousUser

from .permissions import role_of


def role(request):
    """The signed-in user's role, for navigation (no query: read from the user row). An error
    page for a request refused before sign-in is read (a bad Host) has no user: anonymous."""
    return {"role": role_of(getattr(request, "user", None) or AnonymousUser())}
