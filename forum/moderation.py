"""Moderation services: flags, hiding, locking, pinning, moving, splitting, suspensions.
Every action is recorded in the ModerationAction audit log with who, when and why."""

from django.utils import timezone

from forum.models import ModerationAction, PostingSuspension


def active_suspension(user, association_id: int | None) -> PostingSuspension | None:
    return (
        PostingSuspension.objects.filter(user=user, association_id=association_id, until__gt=timezone.now())
        .order_by("-until")
        .first()
    )


def record_action(actor, action: str, *, reason: str, topic=None, post=None, subject_user=None, **details) -> ModerationAction:
    association_id = None
    if topic is not None:
        association_id = topic.category.association_id
    elif post is not None:
        association_id = post.topic.category.association_id
    return ModerationAction.objects.create(
        actor=actor, action=action, reason=reason, topic=topic, post=post, subject_user=subject_user,
        association_id=association_id, details=details,
    )
