from django.db import models


class IndexOutboxEntry(models.Model):
    """Index work recorded in the same transaction as the change it follows, so a commit
    can never be missed by search; a task drains the table in bulk (and retries while the
    engine is down). One row per document id: a later change replaces an earlier one."""

    class Action(models.TextChoices):
        INDEX = "index", "Index"
        DELETE = "delete", "Delete"

    document_id = models.CharField(max_length=200, unique=True)  # e.g. "topic:12"
    action = models.CharField(max_length=10, choices=Action.choices)
    queued_at = models.DateTimeField(auto_now=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["queued_at"])]
        verbose_name_plural = "index outbox entries"

    def __str__(self) -> str:
        return f"{self.action} {self.document_id}"
