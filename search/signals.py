"""Hooks on the writes that change what search must show. Each records index work in the
outbox (search/outbox.py) through the same database connection, inside the transaction of
the write that caused it, so the work commits or rolls back with the write.

Forum
    Topic saved        created: its document; a change to what its documents carry (title,
                       category, status, kind, accepted answer, counters after a split):
                       the whole thread. Pin/lock and activity bookkeeping change nothing.
    Post saved         the post and its topic (the topic's document holds the opening post
                       and the accepted answer); an edited opening post: the whole thread
                       (a new title is written with a queryset update, without a signal).
    Topic/Post deleted their documents are deleted.
    Tags, jurisdictions  the thread (its posts carry the topic's tags and jurisdictions).
    Tag renamed (new slug) or deleted: every topic thread and page that carries it.
    Jurisdiction recoded or deleted: the same, for the threads and pages that name it.
    Category saved     when its audience, association or slug changed: everything in it.
    Members role group created or deleted: the member categories whose audience it changes.
    User renamed       everything they wrote.
    Association        slug or home page changed: its categories and its site.
Wagtail pages
    saved (the live content is written), published, unpublished: that page's document
    (a page that is not live has none, so it is deleted); an issue also re-does its
    articles (they carry its year). A changed url_path (move, slug): the page and all
    below it. Deleted: deleted.
    A view restriction saved, deleted or given other groups: the page and all below it.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from search import outbox

# Topic fields that no document carries: saving only these needs no index work.
TOPIC_BOOKKEEPING_FIELDS = frozenset({"is_pinned", "is_locked", "last_post", "last_activity_at"})
# Page fields that a draft save (save_revision, locking, workflow) writes; a save of only
# these leaves the live content alone.
PAGE_DRAFT_FIELDS = frozenset({
    "latest_revision", "latest_revision_created_at", "draft_title", "has_unpublished_changes", "locked",
    "locked_at", "locked_by", "comments", "wagtail_admin_comments", "live_revision", "approved_go_live_at",
})
USER_NAME_FIELDS = ("display_name", "first_name", "last_name")
CATEGORY_AUDIENCE_FIELDS = ("visibility", "group_id", "association_id", "slug")


def _updated_only(update_fields, fields: frozenset) -> bool:
    return update_fields is not None and set(update_fields) <= fields


def _old_values(model, pk, fields) -> tuple | None:
    return model._base_manager.filter(pk=pk).values_list(*fields).first()


# --- Forum ---------------------------------------------------------------------------------------


def topic_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created:
        outbox.queue_index([f"topic:{instance.pk}"])
    elif not _updated_only(update_fields, TOPIC_BOOKKEEPING_FIELDS):
        outbox.queue_thread(instance.pk)


def topic_deleted(sender, instance, **kwargs):
    outbox.queue_delete([f"topic:{instance.pk}"])


def post_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    ids = [f"post:{instance.pk}", f"topic:{instance.topic_id}"]
    if instance.position == 1 and not created:
        ids.append(f"thread:{instance.topic_id}")
    outbox.queue_index(ids)


def post_deleted(sender, instance, **kwargs):
    outbox.queue_delete([f"post:{instance.pk}"])
    # The topic may be going too (then its own delete follows); otherwise its document
    # may have held this post as the accepted answer.
    outbox.queue_index([f"topic:{instance.topic_id}"])


def topic_labels_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    from forum.models import Topic

    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Topic):
        topic_ids = [instance.pk]
    elif model is Topic and pk_set:
        topic_ids = list(pk_set)
    else:
        return
    outbox.queue_index([f"thread:{topic_id}" for topic_id in topic_ids])


def _tagged_rows(tag) -> list[str]:
    """Outbox rows for everything carrying `tag`: forum threads (taggit's generic items)
    and pages (their own tag through-models, each with a `content_object` foreign key)."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import TaggedItem

    from forum.models import Topic

    topic_ids = TaggedItem.objects.filter(tag=tag, content_type=ContentType.objects.get_for_model(Topic)) \
        .values_list("object_id", flat=True)
    rows = [f"thread:{topic_id}" for topic_id in topic_ids]
    for relation in type(tag)._meta.related_objects:
        through = relation.related_model
        if through is TaggedItem or not any(field.name == "content_object" for field in through._meta.fields):
            continue
        target = through._meta.get_field("content_object").related_model
        if issubclass(target, Page):
            page_ids = through.objects.filter(tag=tag).values_list("content_object_id", flat=True)
            rows += [f"subtree:{page_id}" for page_id in page_ids]
    return rows


def _rows_naming_jurisdiction(jurisdiction) -> list[str]:
    """Outbox rows for the topic threads and pages that carry `jurisdiction` (documents hold
    its code)."""
    rows = [f"thread:{topic_id}" for topic_id in jurisdiction.forum_topics.values_list("pk", flat=True)]
    for relation in type(jurisdiction)._meta.related_objects:
        if relation.many_to_many and issubclass(relation.related_model, Page):
            pages = getattr(jurisdiction, relation.get_accessor_name())
            rows += [f"subtree:{page_id}" for page_id in pages.values_list("pk", flat=True)]
    return rows


def jurisdiction_about_to_change(sender, instance, raw=False, **kwargs):
    instance._search_old_code = None if raw or instance.pk is None else _old_values(sender, instance.pk, ("code",))


def jurisdiction_saved(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_search_old_code", None)
    if raw or created or old is None or old == (instance.code,):
        return
    outbox.queue_index(_rows_naming_jurisdiction(instance))


def jurisdiction_about_to_be_deleted(sender, instance, **kwargs):
    # Before the delete cascades to the many-to-many rows, while they still say who names it.
    outbox.queue_index(_rows_naming_jurisdiction(instance))


def tag_about_to_change(sender, instance, raw=False, **kwargs):
    instance._search_old_slug = None if raw or instance.pk is None else _old_values(sender, instance.pk, ("slug",))


def tag_saved(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_search_old_slug", None)
    if raw or created or old is None or old == (instance.slug,):
        return
    outbox.queue_index(_tagged_rows(instance))


def tag_about_to_be_deleted(sender, instance, **kwargs):
    # Before the delete cascades to the tagged items, while they still say what carried it.
    outbox.queue_index(_tagged_rows(instance))


def category_about_to_change(sender, instance, raw=False, **kwargs):
    instance._search_old_audience = (
        None if raw or instance.pk is None else _old_values(sender, instance.pk, CATEGORY_AUDIENCE_FIELDS)
    )


def category_saved(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_search_old_audience", None)
    if raw or created or old is None:
        return
    if old != tuple(getattr(instance, field) for field in CATEGORY_AUDIENCE_FIELDS):
        outbox.queue_category(instance.pk)


def role_group_changed(sender, instance, raw=False, created=True, **kwargs):
    """A new (or removed) members group changes who "members" means: for the association's
    members-only categories and for the commons (members of any association)."""
    from django.db.models import Q

    from forum.models import Category
    from members.models import Role

    if raw or not created or instance.role != Role.MEMBER:
        return
    categories = Category.objects.filter(visibility=Category.Visibility.MEMBERS).filter(
        Q(association_id=instance.association_id) | Q(association__isnull=True)
    )
    outbox.queue_index([f"category:{pk}" for pk in categories.values_list("pk", flat=True)])


def user_about_to_change(sender, instance, raw=False, update_fields=None, **kwargs):
    interesting = update_fields is None or any(field in update_fields for field in USER_NAME_FIELDS)
    instance._search_old_name = (
        _old_values(sender, instance.pk, USER_NAME_FIELDS)
        if interesting and not raw and instance.pk is not None else None
    )


def user_saved(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_search_old_name", None)
    if raw or created or old is None:
        return
    if old != tuple(getattr(instance, field) for field in USER_NAME_FIELDS):
        outbox.queue_author(instance.pk)


def association_about_to_change(sender, instance, raw=False, **kwargs):
    instance._search_old_site = (
        None if raw or instance.pk is None else _old_values(sender, instance.pk, ("slug", "home_page_id"))
    )


def association_saved(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_search_old_site", None)
    if raw or created or old is None or old == (instance.slug, instance.home_page_id):
        return
    ids = [f"category:{pk}" for pk in instance.forum_categories.values_list("pk", flat=True)]
    ids += [f"subtree:{page_id}" for page_id in {old[1], instance.home_page_id} if page_id]
    outbox.queue_index(ids)


# --- Wagtail pages ---------------------------------------------------------------------------------


def _page_document_id(page) -> str | None:
    from django.contrib.contenttypes.models import ContentType

    from search.sources.pages import PAGE_KIND_BY_MODEL

    model = type(page)
    if model not in PAGE_KIND_BY_MODEL and page.content_type_id:
        model = ContentType.objects.get_for_id(page.content_type_id).model_class()
    kind = PAGE_KIND_BY_MODEL.get(model)
    return f"{kind}:{page.pk}" if kind else None


def _queue_page(page) -> None:
    document_id = _page_document_id(page)
    if document_id is None:
        return
    ids = [document_id]
    if document_id.startswith("issue:"):
        ids.append(f"subtree:{page.pk}")  # its articles carry its year
    outbox.queue_index(ids)


def page_about_to_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if not isinstance(instance, Page):
        return
    instance._search_old_url_path = None
    if raw or instance.pk is None or _updated_only(update_fields, PAGE_DRAFT_FIELDS):
        return
    instance._search_old_url_path = Page.objects.filter(pk=instance.pk).values_list("url_path", flat=True).first()


def page_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if not isinstance(instance, Page) or raw or _updated_only(update_fields, PAGE_DRAFT_FIELDS):
        return
    old_url_path = getattr(instance, "_search_old_url_path", None)
    if old_url_path is not None and old_url_path != instance.url_path:
        outbox.queue_subtree(instance.pk)
    if created and not instance.live:
        return  # a new draft has no document yet
    _queue_page(instance)


def page_published_or_unpublished(sender, instance, **kwargs):
    _queue_page(instance)


def page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        document_id = _page_document_id(instance)
        if document_id:
            outbox.queue_delete([document_id])


def restriction_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    outbox.queue_subtree(instance.page_id)


def restriction_groups_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, PageViewRestriction):
        outbox.queue_subtree(instance.page_id)


# --- Wiring ---------------------------------------------------------------------------------------------


def connect() -> None:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from taggit.models import Tag, TaggedItem

    from forum.models import Category, Post, Topic
    from members.models import Association, Jurisdiction, RoleGroup

    user_model = get_user_model()
    hooks = [
        (post_save, topic_saved, Topic),
        (post_delete, topic_deleted, Topic),
        (post_save, post_saved, Post),
        (post_delete, post_deleted, Post),
        (m2m_changed, topic_labels_changed, TaggedItem),
        (m2m_changed, topic_labels_changed, Topic.jurisdictions.through),
        (pre_save, tag_about_to_change, Tag),
        (post_save, tag_saved, Tag),
        (pre_delete, tag_about_to_be_deleted, Tag),
        (pre_save, jurisdiction_about_to_change, Jurisdiction),
        (post_save, jurisdiction_saved, Jurisdiction),
        (pre_delete, jurisdiction_about_to_be_deleted, Jurisdiction),
        (pre_save, category_about_to_change, Category),
        (post_save, category_saved, Category),
        (post_save, role_group_changed, RoleGroup),
        (post_delete, role_group_changed, RoleGroup),
        (pre_save, user_about_to_change, user_model),
        (post_save, user_saved, user_model),
        (pre_save, association_about_to_change, Association),
        (post_save, association_saved, Association),
        (page_published, page_published_or_unpublished, None),
        (page_unpublished, page_published_or_unpublished, None),
        (post_save, restriction_changed, PageViewRestriction),
        (post_delete, restriction_changed, PageViewRestriction),
        (m2m_changed, restriction_groups_changed, PageViewRestriction.groups.through),
    ]
    # Model signals come under each page's own class. Listening per page model (never to
    # every sender) keeps other models' bulk deletes fast.
    from search.sources.pages import PAGE_KIND_BY_MODEL

    page_models = [model for model in apps.get_models() if issubclass(model, Page)]
    hooks += [(pre_save, page_about_to_change, model) for model in page_models]
    hooks += [(post_save, page_saved, model) for model in page_models]
    hooks += [(post_delete, page_deleted, model) for model in [Page, *PAGE_KIND_BY_MODEL]]
    for signal, receiver, sender in hooks:
        label = getattr(sender, "_meta", None)
        uid = f"search.{receiver.__name__}.{label.label_lower if label else 'any'}"
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
