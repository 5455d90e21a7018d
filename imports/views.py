"""Import pages: upload, map the columns and check, import, undo; coordinators of the chain."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partners.permissions import coordinated_chains, coordinator_required

from . import services, tasks
from .forms import MappingForm, UploadForm
from .models import ImportRun, ImportStatus
from .reading import FileProblem


def _run_for(request: HttpRequest, pk: int) -> ImportRun:
    """The run, if it is for a chain the user coordinates; else 404 (not even its existence)."""
    run = (
        ImportRun.objects.filter(pk=pk, value_chain__in=coordinated_chains(request.user))
        .select_related("value_chain", "created_by")
        .defer("data")
        .first()
    )
    if run is None:
        raise Http404("No such import.")
    return run


@coordinator_required
def imports(request: HttpRequest) -> HttpResponse:
    """The import log, and the form to upload a spreadsheet."""
    chains = coordinated_chains(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, chains=chains)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.start_import(
                by=request.user,
                chain=form.cleaned_data["value_chain"],
                kind=form.cleaned_data["kind"],
                name=upload.name,
                data=upload.read(),
            )
        except FileProblem as problem:
            form.add_error("file", str(problem))
        else:
            return redirect(run)
    log = (
        ImportRun.objects.filter(value_chain__in=chains)
        .select_related("value_chain", "created_by")
        .defer("data", "report", "created", "merged")[:50]
    )
    return render(request, "imports/imports.html", {"form": form, "log": log})


@coordinator_required
def run(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its mapping and check, its progress while it works, its result."""
    import_run = _run_for(request, pk)
    context = {"run": import_run}
    if import_run.status in (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED):
        full = ImportRun.objects.get(pk=pk)  # with the file, for its headers
        context["form"] = MappingForm(run=full, headers=services.headers_of(full))
    template = "imports/run.html"
    if request.htmx and import_run.busy:
        template += "#progress"
    response = render(request, template, context)
    if request.htmx and not import_run.busy and request.headers.get("HX-Target") == "progress":
        # The work finished while the page polled: show the whole page again.
        response["HX-Refresh"] = "true"
    return response


@coordinator_required
@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping and check every row (in the background)."""
    import_run = _run_for(request, pk)
    if import_run.busy or import_run.status in (ImportStatus.IMPORTED, ImportStatus.UNDONE):
        messages.error(request, "This import can no longer be checked.")
        return redirect(import_run)
    full = ImportRun.objects.get(pk=pk)
    form = MappingForm(request.POST, run=full, headers=services.headers_of(full))
    if not form.is_valid():
        return render(request, "imports/run.html", {"run": import_run, "form": form}, status=400)
    ImportRun.objects.filter(pk=pk).update(
        mapping=form.mapping(), duplicates=form.cleaned_data["duplicates"]
    )
    job = services.queue(
        pk, (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED), "checking"
    )
    if job:
        transaction.on_commit(lambda: tasks.check_import.delay(pk, job))
    return redirect(import_run)


@coordinator_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the checked file (in the background): all rows or none."""
    import_run = _run_for(request, pk)
    if import_run.status != ImportStatus.CHECKED or import_run.report.get("error_count"):
        messages.error(request, "Only a file checked without errors can be imported.")
        return redirect(import_run)
    job = services.queue(pk, (ImportStatus.CHECKED,), ImportStatus.IMPORTING)
    if job:
        transaction.on_commit(lambda: tasks.import_rows.delay(pk, job))
    return redirect(import_run)


@coordinator_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    import_run = _run_for(request, pk)
    try:
        services.undo_import(import_run)
    except ValueError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "The import was undone: what it added is gone.")
    return redirect(import_run)
