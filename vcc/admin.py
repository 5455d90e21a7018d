"""What every vcc model admin shares: the admin site is the administrators' (`is_staff`), and
their edits go through the apps' services, or are refused where only a service is safe."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: the app's pages and services are the only safe path (they
    write the history, keep the derived rows, send what must be sent)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline:
    """An inline shown for reference only (mix in before TabularInline)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
