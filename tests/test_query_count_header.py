"""The benchmarks' X-Query-Count header counts what a page asks of the database."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from vcc.middleware import QueryCountHeaderMiddleware


@pytest.mark.django_db(transaction=True)
def test_the_count_leaves_out_opening_the_connection():
    def page(request):
        list(get_user_model().objects.all())
        return HttpResponse("ok")

    if connection.vendor == "postgresql":
        # The look-ups of hstore and citext a new connection makes, once per process.
        from django.contrib.postgres import signals

        signals.get_hstore_oids.cache_clear()
        signals.get_citext_oids.cache_clear()
    connection.close()
    response = QueryCountHeaderMiddleware(page)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "1"
