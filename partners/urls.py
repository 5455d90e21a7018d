from django.urls import path, register_converter

import vcc.converters  # noqa: F401  (registers <id:...>)

from . import pickers, views


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
    path("partners/export.csv", views.directory_csv, name="directory_csv"),
    path("people/export.csv", views.people_csv, name="people_csv"),
    path("partners/new/", views.create, name="create"),
    path("partners/<id:pk>/", views.detail, name="detail"),
    path("partners/<id:pk>/edit/", views.edit, name="edit"),
    path("partners/<id:pk>/<listing:kind>/new/", views.listing_edit, name="listing_create"),
    path(
        "partners/<id:pk>/<listing:kind>/<id:listing_pk>/edit/",
        views.listing_edit,
        name="listing_edit",
    ),
    path(
        "partners/<id:pk>/<listing:kind>/<id:listing_pk>/delete/",
        views.listing_delete,
        name="listing_delete",
    ),
    path("partners/<id:pk>/chains/add/", views.participation_edit, name="participation_create"),
    path(
        "partners/<id:pk>/chains/<id:participation_pk>/edit/",
        views.participation_edit,
        name="participation_edit",
    ),
    path("partners/<id:pk>/commitments/add/", views.commitment_edit, name="commitment_create"),
    path(
        "partners/<id:pk>/commitments/<id:commitment_pk>/edit/",
        views.commitment_edit,
        name="commitment_edit",
    ),
    path("partners/<id:pk>/interests/add/", views.interest_create, name="interest_create"),
    path("partners/<id:pk>/people/add/", views.person_create, name="person_create"),
    path("partners/<id:pk>/invite/", views.invite, name="invite"),
    path("partners/<id:pk>/interactions/", views.log_interaction, name="log_interaction"),
    path("people/", views.people, name="people"),
    path("people/pick/", pickers.people_pick, name="people_pick"),
    path("partners/pick/", pickers.partners_pick, name="partners_pick"),
    path("people/<id:pk>/", views.person_detail, name="person"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<id:pk>/unlock/", views.person_unlock, name="person_unlock"),
    path(
        "people/<id:pk>/interactions/",
        views.person_log_interaction,
        name="person_log_interaction",
    ),
    path("chains/", views.chains, name="chains"),
    path("chains/new/", views.chain_create, name="chain_create"),
    path("chains/<id:pk>/", views.chain, name="chain"),
    path("chains/<id:pk>/edit/", views.chain_edit, name="chain_edit"),
    path("chains/<id:pk>/archive/", views.chain_archive, name="chain_archive"),
    path("chains/<id:pk>/observers/", views.chain_observers, name="chain_observers"),
    path(
        "chains/<id:pk>/observers/<id:user_pk>/remove/",
        views.chain_observer_remove,
        name="chain_observer_remove",
    ),
    path("chains/<id:pk>/stages/add/", views.stage_add, name="stage_add"),
    path("chains/<id:pk>/stages/<id:stage_pk>/rename/", views.stage_rename, name="stage_rename"),
    path("chains/<id:pk>/stages/<id:stage_pk>/move/", views.stage_move, name="stage_move"),
    path("chains/<id:pk>/stages/<id:stage_pk>/remove/", views.stage_remove, name="stage_remove"),
    path("products/", views.products, name="products"),
    path("my/", views.my_organisation, name="my_organisation"),
]
