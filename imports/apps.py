from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "Spreadsheet imports"

    def ready(self):
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # name__lower__in=...: duplicate look-ups on databases without arrays (SQLite).
        CharField.register_lookup(Lower)
