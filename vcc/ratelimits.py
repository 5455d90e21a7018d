"""Rate limits: how many requests an address (or a posted value) may send to a URL in a while.

Counters live in the cache (Redis with REDIS_URL, files in var/cache otherwise), so every
process shares them; django-ratelimit counts. Two ways to limit a view:

- by its URL name, in settings.VCC_RATE_LIMITS (RateLimitMiddleware): the one-click links of
  emails, calendar feeds and password reset requests, whichever app their views live in;
- by the decorator `limit(...)`, for a view of our own such as a public intake form.

A request over a limit gets the 429 page (templates/429.html), saying what happened and when
to try again, with a Retry-After header.
"""

from collections.abc import Callable
from functools import wraps
from math import ceil

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

Limit = tuple[str, str, str]  # (key, rate, method): ("ip", "10/h", "POST")


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind our proxy (VCC_BEHIND_PROXY) the last
    address of X-Forwarded-For, the one our proxy added (earlier ones the client can forge).
    The sign-in lockout (django-axes) and the rate limits count by it."""
    if settings.VCC_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def posted_email(group: str, request: HttpRequest) -> str:
    """A rate-limit key: the email posted, however it is written ("Cora@X.org " is cora@x.org),
    so changing its case does not buy a fresh count."""
    return request.POST.get("email", "").strip().lower()


def over_limit(request: HttpRequest, *, group: str, limits: list[Limit]) -> int | None:
    """Count this request against each limit; the seconds until the first one it exceeds
    frees up again, or None when it is within all of them."""
    for key, rate, method in limits:
        usage = get_usage(
            request,
            group=f"{group}:{key}",
            key=key,
            rate=rate,
            method=ALL if method.upper() == "ALL" else [method.upper()],
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            return max(1, int(usage["time_left"]))
    return None


def too_many_requests(request: HttpRequest, seconds: int) -> HttpResponse:
    """The 429 page: what happened, and when to try again."""
    minutes = max(1, ceil(seconds / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def limit(*, group: str, rate: str, key: str = "ip", method: str = "ALL") -> Callable:
    """Limit a view: e.g. `@limit(group="intake", rate="20/h", method="POST")` lets one address
    post 20 times an hour; `key="vcc.ratelimits.posted_email"` counts per posted email
    instead. Stack two for "per address and per account"."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            seconds = over_limit(request, group=group, limits=[(key, rate, method)])
            if seconds is not None:
                return too_many_requests(request, seconds)
            return view(request, *args, **kwargs)

        return limited

    return decorator


class RateLimitMiddleware:
    """Applies settings.VCC_RATE_LIMITS to the views by their URL names ("convenings:feed"), so
    a limit holds for a view whichever app defines it, and from the day a view of that name
    arrives."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        limits = settings.VCC_RATE_LIMITS.get(match.view_name) if match else None
        if not limits:
            return None
        seconds = over_limit(request, group=f"url:{match.view_name}", limits=limits)
        if seconds is not None:
            return too_many_requests(request, seconds)
        return None


def signin_locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a sign-in while locked out (AXES_LOCKOUT_CALLABLE): our page,
    saying how long the pause lasts and who can lift it, with status 429."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, ceil(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"username": get_client_username(request, credentials) or "", "minutes": minutes}
    result = render(request, "registration/locked_out.html", context, status=429)
    if cool_off:
        result["Retry-After"] = str(int(cool_off.total_seconds()))
    return result
