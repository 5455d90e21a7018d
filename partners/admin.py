from django.contrib import admin

from . import models


class StageInline(admin.TabularInline):
    model = models.Stage
    extra = 1


@admin.register(models.ValueChain)
class ValueChainAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "phase"]
    list_filter = ["phase"]
    filter_horizontal = ["coordinators"]
    inlines = [StageInline]


class ParticipationInline(admin.TabularInline):
    model = models.Participation
    extra = 0
    filter_horizontal = ["stages"]


class AffiliationInline(admin.TabularInline):
    model = models.Affiliation
    extra = 0
    raw_id_fields = ["person"]


@admin.register(models.Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "size", "updated_at"]
    list_filter = ["kind", "size"]
    search_fields = ["name", "region"]
    show_full_result_count = False
    inlines = [ParticipationInline, AffiliationInline]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "email", "consent_to_contact"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]
    show_full_result_count = False


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "unit"]
    search_fields = ["name"]


admin.site.register(models.Certification)
admin.site.register(models.Interest)


@admin.register(models.Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["partner", "description", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["partner", "toward"]


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["person", "partner", "created_at", "accepted_at"]
    raw_id_fields = ["person", "partner"]
