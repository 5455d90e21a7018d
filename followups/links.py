"""The "Add a task" link on the partner, person, introduction and convening pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from partners.permissions import is_coordinator

from .models import LINKS


def add_task_link(user, obj) -> tuple[str, str] | None:
    """("Add a task", the form's URL about `obj`) for a coordinator; no query."""
    name = type(obj).__name__.lower()
    if name not in LINKS or not is_coordinator(user):
        return None
    return "Add a task", f"{reverse('followups:task_create')}?{urlencode({name: obj.pk})}"
