from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "cms.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"
