"""Celery tasks of the import: take the job's id, claim it by its state, safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def check_import(job_id: int) -> bool:
    return services.check_import(job_id)


@shared_task
def commit_import(job_id: int) -> bool:
    return services.commit_import(job_id)


@shared_task
def undo_import(job_id: int) -> bool:
    return services.undo_import(job_id)
