"""What followups does when a lower app's hook fires (connected in FollowupsConfig.ready)."""

from __future__ import annotations

from . import services


def interactions_logged(sender, *, interaction_id: int | None = None, **kwargs) -> None:
    """An interaction's "follow up on" date is a task (vcc.hooks.interactions_logged)."""
    if interaction_id is not None:
        services.sync_follow_up_task(interaction_id=interaction_id)
