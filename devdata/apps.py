from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Generated worlds for development, demos and benchmarks: the demo initiative (`seed_demo`) and
    national-scale data (`generate_scale_data`). Nothing in the product imports it."""

    name = "devdata"
    verbose_name = "Development data"
