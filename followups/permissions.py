"""Who may see and change a task: the coordinators of its chain (superusers: every chain).
Partner members never reach these views (coordinator_required answers 403)."""

from __future__ import annotations

from django.db.models import OuterRef
from django.http import Http404

from partners.permissions import coordinates_chain

from .models import Task


def get_task_for_user(request, pk) -> Task:
    """The task `pk` for a coordinator of its chain, in one query; 404 for everyone else (a
    coordinator of another chain does not learn that it exists)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    task = (
        Task.objects.filter(pk=pk)
        .select_related("value_chain", "assignee", "partner", "person", "convening")
        .select_related("introduction__partner_a", "introduction__partner_b")
        .annotate(user_coordinates=coordinates_chain(user, OuterRef("value_chain_id")))
        .first()
    )
    if task is None or not task.user_coordinates:
        raise Http404("No such task.")
    return task
