"""A person's data: their own page (/my/data/), the zip export and the erasure (asked by the
person, or done by a coordinator of their chain; partners.permissions.get_person_for_user)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from partners.models import Person
from partners.permissions import get_person_for_user

from . import selectors, services
from .forms import ErasureForm


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data: what vcc holds, the download and the erasure."""
    person = Person.objects.filter(user=request.user).first()
    context = {"person": person}
    if person is not None:
        context["data"] = selectors.data_summary(person)
        context["privacy_requests"] = selectors.requests_about(person)
    return render(request, "privacy/mine.html", context)


def _person_to_handle(request: HttpRequest, pk: int):
    """The person themself, or someone who may change the person's record (a coordinator of
    their chain): an observer who reads the page gets a 403, an outsider a 404."""
    person = get_person_for_user(request, pk)
    if person.user_id != request.user.pk:
        person = get_person_for_user(request, pk, write=True)
    return person


@login_required
@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_to_handle(request, pk)
    content = services.export_person(person=person, by=request.user)
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="vcc-person-{person.pk}-{stamp}.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_to_handle(request, pk)
    is_self = person.user_id == request.user.pk
    if person.user_id and person.user.is_superuser and not (is_self or request.user.is_superuser):
        # A coordinator may see an administrator's person record, not close their account.
        raise PermissionDenied("Only an administrator can erase an administrator.")
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.erase_person(person=person, by=request.user)
        if is_self:
            logout(request)
            return render(request, "privacy/erased.html")
        messages.success(request, "Erased: the person is now “a removed person” everywhere.")
        return redirect("partners:person", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "is_self": is_self,
        "data": selectors.data_summary(person),
    }
    return render(request, "privacy/erase.html", context)
