"""Middleware used by benchmarks only (enabled with VCC_QUERY_COUNT_HEADER=1)."""

from django.db import connection


class QueryCountHeaderMiddleware:
    """Adds X-Query-Count: the number of SQL queries the request ran."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
