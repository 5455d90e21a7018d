from django.urls import path, register_converter

from . import views


class ListingKindConverter:
    """'offers' or 'needs': the two kinds of listing a partner keeps."""

    regex = "offers|needs"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ListingKindConverter, "listing")

app_name = "partners"
urlpatterns = [
    path("partners/", views.directory, name="directory"),
    path("partners/new/", views.create, name="create"),
    path("partners/<int:pk>/", views.detail, name="detail"),
    path("partners/<int:pk>/edit/", views.edit, name="edit"),
    path("partners/<int:pk>/<listing:kind>/new/", views.listing_edit, name="listing_create"),
    path(
        "partners/<int:pk>/<listing:kind>/<int:listing_pk>/edit/",
        views.listing_edit,
        name="listing_edit",
    ),
    path(
        "partners/<int:pk>/<listing:kind>/<int:listing_pk>/delete/",
        views.listing_delete,
        name="listing_delete",
    ),
    path("partners/<int:pk>/chains/add/", views.participation_edit, name="participation_create"),
    path(
        "partners/<int:pk>/chains/<int:participation_pk>/edit/",
        views.participation_edit,
        name="participation_edit",
    ),
    path("partners/<int:pk>/commitments/add/", views.commitment_edit, name="commitment_create"),
    path(
        "partners/<int:pk>/commitments/<int:commitment_pk>/edit/",
        views.commitment_edit,
        name="commitment_edit",
    ),
    path("partners/<int:pk>/interests/add/", views.interest_create, name="interest_create"),
    path("partners/<int:pk>/people/add/", views.person_create, name="person_create"),
    path("partners/<int:pk>/invite/", views.invite, name="invite"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("chains/", views.chains, name="chains"),
    path("chains/<int:pk>/", views.chain, name="chain"),
    path("my/", views.my_organisation, name="my_organisation"),
]
