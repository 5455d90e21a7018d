"""Celery tasks of imports. The view queues a run with a job token (imports.services.queue);
the task takes it with a conditional update, so a task delivered twice does the work once."""

from celery import shared_task
from django.contrib.auth import get_user_model

from . import services
from .models import ImportRun, ImportStatus


def _run_and_user(run_id: int):
    run = ImportRun.objects.select_related("created_by", "value_chain").get(pk=run_id)
    return run, run.created_by or get_user_model()(is_superuser=True)


@shared_task
def check_import(run_id: int, job: str) -> bool:
    if not services.take(run_id, job):
        return False
    run, user = _run_and_user(run_id)
    try:
        services.check_import(run, user)
    except Exception as error:
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportStatus.FAILED, report={"failure": f"The check stopped: {error}"}
        )
        raise
    return True


@shared_task
def import_rows(run_id: int, job: str) -> bool:
    if not services.take(run_id, job):
        return False
    run, user = _run_and_user(run_id)
    try:
        services.import_rows(run, user)
    except Exception as error:
        # Nothing was written (one transaction): the file can be checked and imported again.
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportStatus.FAILED,
            report={**run.report, "failure": f"Nothing was imported: {error}"},
        )
        raise
    return True
