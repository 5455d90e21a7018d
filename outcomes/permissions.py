"""Access to outcome reports: a partner's own people see and change all of its reports; a
coordinator, those in the chains they coordinate; an observer reads those in the chains they
observe. Anyone else gets a 404."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from partners.permissions import (
    PartnerAccess,
    coordinates_chain,
    get_partner_for_user,
    sees_chain,
)

from .models import OutcomeReport


def reports_for(access: PartnerAccess, user, *, write: bool = True) -> QuerySet[OutcomeReport]:
    """The partner's reports this user may change (`write`), or read: the chains they
    coordinate, or also those they observe."""
    reports = OutcomeReport.objects.filter(partner=access.partner)
    if not access.is_member:
        may = coordinates_chain if write else sees_chain
        reports = reports.filter(may(user, OuterRef("value_chain_id")))
    return reports


def get_report_for_user(request, pk, report_pk) -> tuple[PartnerAccess, OutcomeReport]:
    """Partner `pk`'s report `report_pk`, for a user who may change it: 404 otherwise."""
    access = get_partner_for_user(request, pk, write=True)
    report = get_object_or_404(
        reports_for(access, request.user).select_related("value_chain"), pk=report_pk
    )
    return access, report
