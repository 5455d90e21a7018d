"""htmx responses (their messages, Vary), and a query count for benchmarks."""

from django.contrib import messages
from django.db import connection
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers


class VaryOnHtmxMiddleware:
    """`Vary: HX-Request` on every HTML answer: a URL answers the whole page, or (asked by
    htmx) one fragment of it, so a cache in between must not give one for the other."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("HX-Request",))
        return response


class HtmxMessagesMiddleware:
    """Shows the messages of an htmx response ("Offer saved.") where every page shows them,
    by an out-of-band swap of the page's #messages; without it they would wait in the session
    and greet the user on the next page they open. Redirects, errors and responses other
    than HTML leave them for the next page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not getattr(request, "htmx", False)
            or request.htmx.boosted
            or response.streaming
            or response.status_code != 200
            or "HX-Redirect" in response
            or "HX-Location" in response
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        stored = messages.get_messages(request)
        if stored:
            html = render_to_string("includes/messages.html", {"messages": stored, "oob": True})
            response.content += html.encode()
        return response


class QueryCountHeaderMiddleware:
    """Adds X-Query-Count: the number of SQL queries the request ran (benchmarks only, with
    VCC_QUERY_COUNT_HEADER=1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A connection opened inside the request would count its set-up queries (time zone,
        # type look-ups) against the page: they are the connection's, once per CONN_MAX_AGE.
        connection.ensure_connection()
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
