from django.apps import AppConfig


class LegislationConfig(AppConfig):
    name = "cms.legislation"
    label = "legislation"
    verbose_name = "Legislative and regulatory updates"

    def ready(self):
        from cms.legislation import signals

        signals.connect()
