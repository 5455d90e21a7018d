"""Views of the import: upload, map the columns, see the dry run, import, undo."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from partners.permissions import coordinated_chain_ids, coordinator_required

from . import services
from .forms import MappingForm, ReplaceFileForm, UploadForm
from .models import ImportJob
from .permissions import get_import_for_user
from .spreadsheet import SpreadsheetError

LOG_SIZE = 50


@coordinator_required
def index(request: HttpRequest) -> HttpResponse:
    """The upload form and the import log of the coordinator's chains."""
    bound = request.method == "POST"
    form = UploadForm(request.user, *((request.POST, request.FILES) if bound else ()))
    if request.method == "POST" and form.is_valid():
        filename, data = form.cleaned_data["file"]
        try:
            job = services.start_import(
                request.user,
                form.cleaned_data["value_chain"],
                form.cleaned_data["kind"],
                filename,
                data,
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect(job)
    log = (
        ImportJob.objects.filter(value_chain_id__in=coordinated_chain_ids(request.user))
        .select_related("value_chain", "uploaded_by")
        .defer("data", "errors", "duplicates", "preview", "created", "filled")[:LOG_SIZE]
    )
    status = 400 if form.errors else 200
    return render(request, "imports/index.html", {"form": form, "log": log}, status=status)


@coordinator_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its mapping, progress, dry run findings and what it imported."""
    job = get_import_for_user(request, pk)
    if request.htmx and request.GET.get("poll"):
        if not job.is_busy:
            return HttpResponseClientRefresh()
        return render(request, "imports/job.html#progress", {"job": job})
    mapping_form = MappingForm(job)
    if request.method == "POST":
        mapping_form = MappingForm(job, request.POST)
        if mapping_form.is_valid():
            try:
                services.request_check(
                    job,
                    mapping_form.mapping(),
                    mapping_form.cleaned_data.get("duplicate_action") or job.duplicate_action,
                )
            except services.ImportRefused as error:
                messages.error(request, str(error))
            return redirect(job)
    status = 400 if mapping_form.errors else 200
    return render(request, "imports/job.html", _job_context(job, mapping_form), status=status)


def _job_context(job: ImportJob, mapping_form=None, file_form=None) -> dict:
    return {
        "job": job,
        "mapping_form": mapping_form or MappingForm(job),
        "file_form": file_form or ReplaceFileForm(),
        "headers": [h for h in job.headers if job.mapping.get(h)],
    }


@coordinator_required
@require_POST
def replace_file(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_import_for_user(request, pk)
    form = ReplaceFileForm(request.POST, request.FILES)
    if form.is_valid():
        filename, data = form.cleaned_data["file"]
        try:
            services.replace_file(job, filename, data)
        except services.ImportRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{filename} replaces the file: check the columns again.")
            return redirect(job)
    return render(request, "imports/job.html", _job_context(job, file_form=form), status=400)


@coordinator_required
@require_POST
def choose_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """Read another sheet of the uploaded workbook."""
    job = get_import_for_user(request, pk)
    sheet = request.POST.get("sheet", "")[:100]
    try:
        services.choose_sheet(job, sheet)
    except services.ImportRefused as error:
        messages.error(request, str(error))
    except SpreadsheetError as error:
        messages.error(request, f"The sheet “{sheet}” cannot be imported: {error}")
    else:
        messages.success(request, f"Reading the sheet “{sheet}”: check the columns again.")
    return redirect(job)


@coordinator_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_import_for_user(request, pk)
    choices = {
        key.removeprefix("dup_"): value
        for key, value in request.POST.items()
        if key.startswith("dup_")
    }
    try:
        services.request_import(job, choices)
    except services.ImportRefused as error:
        messages.error(request, str(error))
    return redirect(job)


@coordinator_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_import_for_user(request, pk)
    try:
        services.request_undo(job)
    except services.ImportRefused as error:
        messages.error(request, str(error))
    return redirect(job)
