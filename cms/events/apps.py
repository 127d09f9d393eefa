from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "cms.events"
    label = "events"
    verbose_name = "Events and training"

    def ready(self):
        from cms.events import emails, signals
        from config.events import subscribe

        signals.connect()
        subscribe("event_registration_created", emails.send_registration_confirmation)
        subscribe("event_registration_promoted", emails.send_promotion_notice)
        subscribe("event_registration_cancelled", emails.send_cancellation_notice)
