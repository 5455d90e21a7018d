from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Data for trying and measuring vcc, never for production: the demo network
    (`manage.py seed_demo`) and the benchmark's generated networks (`generate_network`,
    `generate_activity`). It stands above every app and may import them all."""

    name = "devdata"
    verbose_name = "Demo and benchmark data"
