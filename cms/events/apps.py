from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "cms.events"
    label = "events"
    verbose_name = "Events and training"
