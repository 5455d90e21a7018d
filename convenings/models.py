"""Convenings, working groups and action items."""

import datetime
import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partners.models import Person, ValueChain


class GroupStatus(models.TextChoices):
    FORMING = "forming", "Forming"
    ACTIVE = "active", "Active"
    REPORTING = "reporting", "Reporting"
    CLOSED = "closed", "Closed"


class WorkingGroup(models.Model):
    """A group in a value chain that attacks one problem, led by someone from a partner firm."""

    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="working_groups"
    )
    name = models.CharField(max_length=200)
    problem = models.TextField(help_text="The problem the group tackles.")
    lead = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="groups_led"
    )
    members = models.ManyToManyField(Person, blank=True, related_name="working_groups")
    status = models.CharField(max_length=12, choices=GroupStatus.choices, default="forming")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["value_chain", "name"], name="group_name_per_chain")
        ]
        indexes = [models.Index(fields=["value_chain", "status"], name="group_chain_status")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("convenings:group", args=[self.pk])


class ConveningKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    STAKEHOLDER = "stakeholder", "Stakeholder meeting"
    GROUP_MEETING = "group_meeting", "Working-group meeting"
    TRADE_FAIR = "trade_fair", "Trade fair"
    LEARNING_VISIT = "learning_visit", "Learning visit"
    WEBINAR = "webinar", "Webinar"


TIME_ZONES = sorted(zoneinfo.available_timezones())


class ConveningStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Convening(models.Model):
    """A meeting of the chain; its iCalendar UID stays, its SEQUENCE grows with each change."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="convenings")
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    kind = models.CharField(max_length=20, choices=ConveningKind.choices)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default=settings.TIME_ZONE,
        help_text="An IANA zone, e.g. Africa/Johannesburg.",
    )
    place = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ConveningStatus.choices, default=ConveningStatus.SCHEDULED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_note = models.TextField(
        blank=True, max_length=2000, help_text="Why it was cancelled, as the invitees read it."
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="convening_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(place="", online_link=""), name="convening_has_place_or_link"
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | Q(status="scheduled", cancelled_at__isnull=True),
                name="convening_cancelled_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["value_chain", "starts_at", "id"], name="convening_chain_time"),
            models.Index(fields=["working_group", "starts_at"], name="convening_group_time"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("convenings:detail", args=[self.pk])

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self):
        """The wall-clock start in the convening's own zone (naive, so templates show it as
        it is rather than in the viewer's zone)."""
        return timezone.localtime(self.starts_at, self.tz).replace(tzinfo=None)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.tz).replace(tzinfo=None)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == ConveningStatus.CANCELLED

    @property
    def organiser(self) -> tuple[str, str] | None:
        """(name, email) of who answers for it: a working group's lead for the group's
        meeting, else the coordinator who scheduled it; None when neither has an email.
        (Reads working_group__lead and created_by: select them.)"""
        group = self.working_group
        if group is not None and group.lead is not None and group.lead.email:
            return group.lead.full_name, group.lead.email
        user = self.created_by
        if user is not None and user.email:
            return user.get_full_name() or user.get_username(), user.email
        return None


class Rsvp(models.TextChoices):
    PENDING = "pending", "No answer yet"
    YES = "yes", "Yes"
    NO = "no", "No"
    MAYBE = "maybe", "Maybe"


class Invitee(models.Model):
    convening = models.ForeignKey(Convening, on_delete=models.CASCADE, related_name="invitees")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="convening_invites")
    rsvp = models.CharField(max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(default=False)
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["convening", "person"], name="invitee_once"),
        ]
        indexes = [models.Index(fields=["person", "convening"], name="invitee_person")]

    def __str__(self) -> str:
        return f"{self.person} to {self.convening}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    BLOCKED = "blocked", "Blocked"


ACTION_OPEN = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED]


class ActionItem(models.Model):
    """Something a person will do, posted from a working group or a convening's minutes."""

    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="action_items"
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    convening = models.ForeignKey(
        Convening, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default="open")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["working_group", "due_on", "id"], name="action_group"),
            models.Index(fields=["owner", "due_on"], name="action_owner"),
            models.Index(fields=["value_chain", "status", "due_on"], name="action_chain"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("convenings:action", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status in ACTION_OPEN and self.due_on < timezone.localdate()


class ActionUpdate(models.Model):
    """One entry in an action item's thread."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.status}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private iCalendar feed; the token is the only key, and can be reset."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    reset_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar of {self.person}"


ONE_DAY = datetime.timedelta(days=1)
