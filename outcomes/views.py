"""Outcome reports on a partner's page, and the coordinators' dashboard, its CSV and report."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partners.permissions import coordinated_chains, coordinator_required, get_partner_for_user

from . import services
from .dashboard import FIGURES, Scope, all_figures
from .forms import DashboardFilterForm, OutcomeReportForm, chains_for_report
from .models import OutcomeReport


@login_required
def partner_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner's outcome reports, and the form to report one: its people or coordinators."""
    access = get_partner_for_user(request, pk, write=True)
    partner = access.partner
    chains = chains_for_report(partner, request.user, access.can_coordinate, access.is_member)
    form = OutcomeReportForm(partner, chains, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.save_outcome_report(form, by=request.user)
        messages.success(request, "Outcomes saved. Thank you!")
        return redirect("outcomes:partner", pk=partner.pk)
    reports = (
        OutcomeReport.objects.filter(partner=partner)
        .select_related("value_chain", "sales_to")
        .prefetch_related("certifications_gained")
    )
    if not access.is_member and not request.user.is_superuser:
        reports = reports.filter(value_chain__coordinators=request.user)
    return render(
        request,
        "outcomes/partner.html",
        {"access": access, "partner": partner, "form": form, "reports": reports[:100]},
        status=400 if form.errors else 200,
    )


def _scope(request: HttpRequest) -> tuple[DashboardFilterForm, Scope]:
    chains = coordinated_chains(request.user).order_by("name")
    form = DashboardFilterForm(chains, request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    chain = data.get("chain")
    chain_ids = (chain.pk,) if chain else tuple(chains.values_list("pk", flat=True))
    return form, Scope(chain_ids, data.get("start"), data.get("end"))


@coordinator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    context = {
        "form": form,
        "figures": all_figures(scope),
        "query": request.GET.urlencode(),
        "scope": scope,
        "chain": form.cleaned_data.get("chain") if form.is_valid() else None,
    }
    return render(request, "outcomes/dashboard.html", context)


@coordinator_required
def report(request: HttpRequest) -> HttpResponse:
    """The same figures on a page made for printing (or saving as PDF) for a funder."""
    form, scope = _scope(request)
    context = {
        "form": form,
        "figures": all_figures(scope),
        "scope": scope,
        "chain": form.cleaned_data.get("chain") if form.is_valid() else None,
        "query": request.GET.urlencode(),
        "printable": True,
    }
    return render(request, "outcomes/report.html", context)


@coordinator_required
def figure_csv(request: HttpRequest, key: str) -> HttpResponse:
    if key not in FIGURES:
        raise Http404("No such figure.")
    _, scope = _scope(request)
    figure = FIGURES[key](scope)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}.csv"'
    writer = csv.writer(response)
    writer.writerow(figure.csv_header)
    writer.writerows(figure.csv_rows)
    return response
