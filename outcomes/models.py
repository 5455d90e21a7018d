"""Outcomes a partner (or its coordinator) reports for a period: sales through the chain, jobs,
practices adopted and certifications gained. Technical-assistance hours are not reported here:
they come from the coordinator's interactions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from partners.models import Certification, Partner, ValueChain


class OutcomeReport(models.Model):
    """What one partner achieved in one value chain over one period."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="outcome_reports")
    value_chain = models.ForeignKey(
        ValueChain, on_delete=models.CASCADE, related_name="outcome_reports"
    )
    period_start = models.DateField(help_text="The first day of the period reported.")
    period_end = models.DateField(help_text="The last day of the period reported.")
    sales_to = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcome_purchases",
        help_text="The partner in the chain the sales were made to, if one.",
    )
    sales_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Sales through the chain in the period, in the chain's currency.",
    )
    sales_volume = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    volume_unit = models.CharField(max_length=20, blank=True)
    jobs_created = models.PositiveIntegerField(default=0)
    jobs_retained = models.PositiveIntegerField(default=0)
    practices_adopted = models.TextField(
        blank=True, help_text="New practices taken up in the period, one per line."
    )
    certifications_gained = models.ManyToManyField(
        Certification, blank=True, related_name="outcome_reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        indexes = [
            models.Index(fields=["partner", "-period_start"], name="outcome_partner_period"),
            # The dashboard's sales and jobs per period read their sums from the index alone.
            models.Index(
                fields=["value_chain", "period_start"],
                include=["sales_value", "jobs_created", "jobs_retained"],
                name="outcome_chain_period_totals",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="outcome_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(sales_value__isnull=True) | Q(sales_value__gte=0),
                name="outcome_sales_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(sales_volume__isnull=True) | Q(sales_volume__gte=0),
                name="outcome_volume_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(sales_to__isnull=True) | ~Q(sales_to=F("partner")),
                name="outcome_not_sales_to_self",
            ),
            models.UniqueConstraint(
                fields=["partner", "value_chain", "period_start"],
                name="outcome_one_report_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} in {self.value_chain}, {self.period_start:%b %Y}"

    @property
    def practices(self) -> list[str]:
        return [line.strip() for line in self.practices_adopted.splitlines() if line.strip()]
