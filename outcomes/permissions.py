"""Access to outcome reports: a partner's own people see and change all of its reports; a
coordinator, those in the chains they coordinate. Anyone else gets a 404."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from partners.permissions import PartnerAccess, coordinates_chain, get_partner_for_user

from .models import OutcomeReport


def reports_for(access: PartnerAccess, user) -> QuerySet[OutcomeReport]:
    """The partner's reports this user may see and change."""
    reports = OutcomeReport.objects.filter(partner=access.partner)
    if not access.is_member:
        reports = reports.filter(coordinates_chain(user, OuterRef("value_chain_id")))
    return reports


def get_report_for_user(request, pk, report_pk) -> tuple[PartnerAccess, OutcomeReport]:
    """Partner `pk`'s report `report_pk`, for a user who may change it: 404 otherwise."""
    access = get_partner_for_user(request, pk, write=True)
    report = get_object_or_404(
        reports_for(access, request.user).select_related("value_chain"), pk=report_pk
    )
    return access, report
