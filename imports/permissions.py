"""Access to imports: coordinators, for the chains they coordinate; 404 for anyone else."""

from django.http import Http404

from partners.permissions import coordinated_chain_ids

from .models import ImportJob


def get_import_for_user(request, pk) -> ImportJob:
    job = (
        ImportJob.objects.filter(pk=pk, value_chain_id__in=coordinated_chain_ids(request.user))
        .select_related("value_chain", "uploaded_by")
        .defer("data")
        .first()
    )
    if job is None:
        raise Http404("No such import.")
    return job
