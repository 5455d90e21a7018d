"""The administrators' admin (staff only: coordinators and observers work in vcc's own pages).
Edits of chains, partners and people go through partners.services, so the change history is
written as for an edit in vcc; what has no safe path here (stages, participations,
commitments, interests, invitations, products, whose services keep derived rows and history)
is read-only."""

from django.contrib import admin

from vcc.admin import ReadOnlyAdmin, ReadOnlyInline

from . import models, services


def _model_values(form, model) -> dict:
    """The cleaned values of the form's fields that are fields of `model`."""
    names = {f.name for f in model._meta.get_fields() if getattr(f, "editable", False)}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


class StageInline(ReadOnlyInline, admin.TabularInline):
    model = models.Stage
    fields = ["position", "name"]
    readonly_fields = ["position", "name"]


@admin.register(models.ValueChain)
class ValueChainAdmin(admin.ModelAdmin):
    """Where an administrator names a chain's coordinators and observers (members of the
    Coordinators group may coordinate; see Users → Groups)."""

    list_display = ["name", "region", "phase"]
    list_filter = ["phase"]
    filter_horizontal = ["coordinators", "observers"]
    inlines = [StageInline]

    def save_model(self, request, obj, form, change):
        values = _model_values(form, models.ValueChain)
        if change:
            services.update_value_chain(obj, values=values, by=request.user)
        else:
            services.save_fields(obj, values)

    def has_delete_permission(self, request, obj=None):
        return False  # archive it in vcc: its partners' history stays


class ParticipationInline(ReadOnlyInline, admin.TabularInline):
    model = models.Participation
    fields = ["value_chain", "chain_role", "network_role", "status"]
    readonly_fields = fields


class AffiliationInline(ReadOnlyInline, admin.TabularInline):
    model = models.Affiliation
    fields = ["person", "title"]
    readonly_fields = fields


@admin.register(models.Partner)
class PartnerAdmin(admin.ModelAdmin):
    """A partner's profile, edited through partners.services.update_partner (history kept).
    Partners are added in vcc, which places them in a value chain."""

    list_display = ["name", "kind", "region", "size", "updated_at"]
    list_filter = ["kind", "size"]
    search_fields = ["name", "region"]
    show_full_result_count = False
    inlines = [ParticipationInline, AffiliationInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.update_partner(obj, values=_model_values(form, models.Partner), by=request.user)

    def save_related(self, request, form, formsets, change):
        # update_partner saved the certifications; the inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    """A person's details, edited through partners.services.update_person (noted in the
    history of each partner they work at). People are added from a partner's page."""

    list_display = ["first_name", "last_name", "email", "consent_to_contact"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.update_person(obj, values=_model_values(form, models.Person), by=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # update_person saved its many-to-many fields; no inlines


@admin.register(models.Product)
class ProductAdmin(ReadOnlyAdmin):
    """Products are added and merged on /products/ (merge_products moves every offer)."""

    list_display = ["name", "parent", "unit"]
    search_fields = ["name"]


admin.site.register(models.Certification)


@admin.register(models.Interest)
class InterestAdmin(ReadOnlyAdmin):
    list_display = ["description", "kind", "value_chain"]


@admin.register(models.Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    """Commitments change on the partner's page (save_commitment writes both parties'
    history and derives the relationship of a kept one)."""

    list_display = ["partner", "description", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["partner", "toward"]


@admin.register(models.Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["person", "partner", "created_at", "accepted_at"]
    raw_id_fields = ["person", "partner"]


@admin.register(models.ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    """The partners' change history, as vcc and this admin wrote it."""

    list_display = ["partner", "summary", "user", "at"]
    raw_id_fields = ["partner", "user"]
    show_full_result_count = False
