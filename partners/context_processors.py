from .permissions import role_of


def role(request):
    """The signed-in user's role, for navigation (no query: read from the user row)."""
    return {"role": role_of(request.user)}
