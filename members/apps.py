from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Associations and members"

    def ready(self):
        # Connects the association switcher's cache invalidation in every process.
        from members import selectors  # noqa: F401
