"""A real Celery worker on real Redis checks and imports a file the web process queued."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob, ImportState
from partners.models import Partner
from tests.conftest import client_for, require
from vcc.celery import app


@pytest.fixture
def redis_worker(settings):
    require(os.environ.get("REDIS_URL", "").startswith("redis"), "Redis (REDIS_URL)")
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.task_always_eager = True


def wait_for(job, state, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state == state:
            return job
        time.sleep(0.1)
    raise AssertionError(f"still {job.state}: {job.failure}")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_worker_checks_and_imports_through_redis(redis_worker, chain_a, coordinator):
    assert app.conf.broker_url.startswith("redis")
    client = client_for(coordinator)
    rows = "".join(f"Farm {i},Region {i % 7}\n" for i in range(3000))
    client.post(
        reverse("imports:index"),
        {
            "value_chain": chain_a.pk,
            "kind": "partners",
            "file": SimpleUploadedFile("farms.csv", ("Name,Region\n" + rows).encode()),
        },
    )
    job = ImportJob.objects.get()
    response = client.post(
        job.get_absolute_url(), {"col_0": "name", "col_1": "region", "duplicate_action": "skip"}
    )
    assert response.status_code == 302
    job = wait_for(job, ImportState.CHECKED)
    assert (job.rows_total, job.rows_with_errors, job.progress_done) == (3000, 0, 3000)
    assert Partner.objects.count() == 0
    client.post(reverse("imports:commit", args=[job.pk]))
    job = wait_for(job, ImportState.IMPORTED)
    assert job.rows_created == 3000
    assert chain_a.participations.count() == 3000
    # A second delivery of the same task finds the job taken and does nothing.
    from imports.services import commit_import

    assert commit_import(job.pk) is False
    assert Partner.objects.count() == 3000
