"""Outcome reports on a partner's page, and the coordinators' dashboard, its CSV and report."""

from __future__ import annotations

import csv
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partners.permissions import (
    coordinated_chains,
    coordinator_required,
    get_partner_for_user,
    seen_chains,
    viewer_required,
)

from . import export as full_export
from . import services
from .dashboard import FIGURES, Scope, all_figures
from .forms import DashboardFilterForm, OutcomeReportForm, chains_for_report
from .permissions import get_report_for_user, reports_for


@login_required
def partner_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner's outcome reports, and the form to report one: its people or coordinators
    (the chain's observers read the reports)."""
    access = get_partner_for_user(request, pk, write=request.method == "POST")
    partner = access.partner
    form = None
    if access.can_edit:
        chains = chains_for_report(partner, request.user, access.can_coordinate, access.is_member)
        data = request.POST if request.method == "POST" else None
        form = OutcomeReportForm(partner, chains, data)
    if request.method == "POST" and form.is_valid():
        services.save_outcome_report(partner, values=form.cleaned_data, by=request.user)
        messages.success(request, "Outcomes saved. Thank you!")
        return redirect("outcomes:partner", pk=partner.pk)
    reports = (
        reports_for(access, request.user, write=access.can_edit)
        .select_related("value_chain", "sales_to")
        .prefetch_related("certifications_gained")
    )
    return render(
        request,
        "outcomes/partner.html",
        {"access": access, "partner": partner, "form": form, "reports": reports[:100]},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_report(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """Correct a report: the partner's people, or a coordinator of the report's chain."""
    access, report = get_report_for_user(request, pk, report_pk)
    chains = chains_for_report(
        access.partner, request.user, access.can_coordinate, access.is_member
    )
    data = request.POST if request.method == "POST" else None
    form = OutcomeReportForm(access.partner, chains, data, instance=report)
    if request.method == "POST" and form.is_valid():
        services.save_outcome_report(
            access.partner, values=form.cleaned_data, report=report, by=request.user
        )
        messages.success(request, "Outcomes updated.")
        return redirect("outcomes:partner", pk=access.partner.pk)
    context = {"access": access, "partner": access.partner, "form": form, "report": report}
    return render(request, "outcomes/report_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete_report(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """A page that asks first; only its POST removes the report."""
    access, report = get_report_for_user(request, pk, report_pk)
    if request.method == "POST":
        services.delete_outcome_report(report, by=request.user)
        messages.success(request, "Outcome report removed.")
        return redirect("outcomes:partner", pk=access.partner.pk)
    context = {"access": access, "partner": access.partner, "report": report}
    return render(request, "outcomes/report_delete.html", context)


def _scope(request: HttpRequest) -> tuple[DashboardFilterForm, Scope]:
    chains = seen_chains(request.user).order_by("name")
    form = DashboardFilterForm(chains, request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    chain = data.get("chain")
    rows = [(chain.pk, chain.currency)] if chain else list(chains.values_list("pk", "currency"))
    currencies = {currency for _, currency in rows}
    currency = currencies.pop() if len(currencies) == 1 else ""
    chain_ids = tuple(pk for pk, _ in rows)
    return form, Scope(chain_ids, data.get("start"), data.get("end"), currency=currency)


@viewer_required
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


@viewer_required
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


@viewer_required
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


@coordinator_required
def export(request: HttpRequest) -> HttpResponse:
    """The full export: a page with one button (GET), and the zip it downloads (POST)."""
    if request.method != "POST":
        return render(
            request,
            "outcomes/export.html",
            {"chains": coordinated_chains(request.user), "files": full_export.file_names()},
        )
    target = tempfile.TemporaryFile()
    full_export.write_full_export(request.user, target)
    target.seek(0)
    stamp = timezone.localdate().isoformat()
    return FileResponse(target, as_attachment=True, filename=f"vcc-export-{stamp}.zip")
