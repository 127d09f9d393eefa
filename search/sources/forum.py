"""Forum documents: one per published topic ("topic:<id>": its title, the opening post and
the accepted answer) and one per published reply ("post:<id>": the reply's text under its
topic's title, with the topic's category, tags and jurisdictions).

Who may see them is the category's audience, from the permission source
(`members.permissions.category_audience_ids`). Held and hidden topics and posts have no
document (the opening post lives in its topic's document, so it has none of its own), and
neither has anything in a category whose audience nobody holds.

A post's document also carries the text extracted from its attachments (forum/tasks.py), so
a word found only inside an attached PDF finds the post, for exactly the post's audience.
Only extracted text (status "done") of files that are neither quarantined nor removed counts,
and only the current version of a procedure's document.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.db.models.functions import Substr
from django.urls import reverse
from taggit.models import TaggedItem

from forum.models import Attachment, Category, Post, Topic, Visibility
from members.permissions import category_audience_ids
from search.sources.base import DocumentSource, document
from search.sources.text import MAX_BODY_LENGTH, html_to_text, join_text, squash_whitespace


class _ForumData:
    """What forum documents share, loaded for a whole chunk in a few queries (plain values,
    no model instances: rebuilds go through hundreds of thousands of posts): categories with
    their audiences, topics' tags and jurisdictions, and authors' names."""

    def __init__(self):
        self.categories: dict[int, tuple[frozenset[str], str, str]] = {}

    def category(self, category_id: int) -> tuple[frozenset[str], str, str]:
        """(audience ids, association slug, category slug)."""
        return self.categories[category_id]

    def load_categories(self, category_ids) -> None:
        wanted = set(category_ids) - self.categories.keys()
        if not wanted:
            return
        for category in Category.objects.filter(pk__in=wanted).select_related("association"):
            self.categories[category.pk] = (
                category_audience_ids(category),
                category.association.slug if category.association_id else "",
                category.slug,
            )

    @staticmethod
    def labels(topic_ids) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
        """({topic id: tag slugs}, {topic id: jurisdiction codes})."""
        tags, jurisdictions = defaultdict(list), defaultdict(list)
        topic_type = ContentType.objects.get_for_model(Topic)
        for topic_id, slug in TaggedItem.objects.filter(content_type=topic_type, object_id__in=topic_ids).values_list(
            "object_id", "tag__slug"
        ):
            tags[topic_id].append(slug)
        for topic_id, code in Topic.jurisdictions.through.objects.filter(topic_id__in=topic_ids).values_list(
            "topic_id", "jurisdiction__code"
        ):
            jurisdictions[topic_id].append(code)
        return tags, jurisdictions

    @staticmethod
    def names(user_ids) -> dict[int, str]:
        """{user id: the name other members see} (never an email address)."""
        rows = get_user_model().objects.filter(pk__in=set(user_ids)).values_list(
            "pk", "display_name", "first_name", "last_name"
        )
        return {pk: (display or f"{first} {last}").strip() for pk, display, first, last in rows}


def searchable_attachments():
    """Attachments whose text a post's document carries: extracted (status "done"), neither
    quarantined nor removed, and not an earlier version of a procedure's document."""
    return Attachment.objects.filter(
        extraction_status=Attachment.Extraction.DONE,
        review_status__in=(Attachment.Review.NONE, Attachment.Review.CLEARED),
        superseded_by__isnull=True,
    )


def has_searchable_files():
    """Annotation for a Post query: whether the post has any (most have none, and then
    nothing more is asked)."""
    return Exists(searchable_attachments().filter(post_id=OuterRef("pk")))


def attachment_texts(key: str, post_ids) -> dict[int, list[str]]:
    """{key value: [the text of each searchable attachment of these posts]}, in one query
    (none without posts): `key` is "post_id" or "post__topic_id". Only the start of each
    text (what a body can hold) is read, so a chunk of long documents stays small in memory."""
    texts = defaultdict(list)
    if not post_ids:
        return texts
    rows = (
        searchable_attachments().filter(post_id__in=post_ids)
        .annotate(head=Substr("extracted_text", 1, MAX_BODY_LENGTH))
        .values_list(key, "head")
        .order_by(key, "uploaded_at", "pk")
    )
    for owner, text in rows:
        if text:
            texts[owner].append(squash_whitespace(text))
    return texts


def _topic_url_pattern() -> str:
    """"/forum/t/{}/": reversed once per chunk rather than once per document."""
    return reverse("forum:topic", args=[987654321]).replace("987654321", "{}")


def _answered(kind: str, accepted_answer_id, accepted_answer_status) -> bool:
    has_answer = accepted_answer_id is not None and accepted_answer_status == Visibility.PUBLISHED
    return kind == Topic.Kind.QUESTION and has_answer


TOPIC_FIELDS = (
    "pk", "title", "kind", "category_id", "author_id", "created_at", "accepted_answer_id", "accepted_answer__status",
)


class TopicSource(DocumentSource):
    kinds = ("topic",)

    def candidate_pks(self):
        return Topic.objects.filter(status=Visibility.PUBLISHED).values_list("pk", flat=True)

    def build(self, pks: list[int]) -> list[dict]:
        topics = list(
            Topic.objects.filter(pk__in=pks, status=Visibility.PUBLISHED)
            .values_list(*TOPIC_FIELDS, "accepted_answer__body_html").order_by("pk")
        )
        if not topics:
            return []
        topic_ids = [topic[0] for topic in topics]
        data = _ForumData()
        data.load_categories({topic[3] for topic in topics})
        opening, opening_with_files = {}, []
        for post_id, topic_id, body_html, has_files in (
            Post.objects.filter(topic_id__in=topic_ids, position=1, status=Visibility.PUBLISHED)
            .annotate(has_files=has_searchable_files()).values_list("pk", "topic_id", "body_html", "has_files")
        ):
            opening[topic_id] = body_html
            if has_files:
                opening_with_files.append(post_id)
        tags, jurisdictions = data.labels(topic_ids)
        names = data.names(topic[4] for topic in topics)
        files = attachment_texts("post__topic_id", opening_with_files)
        topic_url = _topic_url_pattern()
        documents = []
        for pk, title, kind, category_id, author_id, created_at, answer_id, answer_status, answer_html in topics:
            audience, association, category = data.category(category_id)
            if not audience:
                continue
            answered = _answered(kind, answer_id, answer_status)
            documents.append(
                document(
                    kind="topic", pk=pk, title=title,
                    body=join_text(
                        html_to_text(opening.get(pk)), html_to_text(answer_html) if answered else "", *files.get(pk, ()),
                    ),
                    url=topic_url.format(pk), published_at=created_at, audience=audience,
                    association=association, category=category, tags=tags.get(pk, ()),
                    jurisdictions=jurisdictions.get(pk, ()), author=names.get(author_id, ""), author_id=author_id,
                    answered=answered, topic_kind=kind,
                )
            )
        return documents


class PostSource(DocumentSource):
    kinds = ("post",)

    def candidate_pks(self):
        return Post.objects.filter(
            status=Visibility.PUBLISHED, position__gt=1, topic__status=Visibility.PUBLISHED
        ).values_list("pk", flat=True)

    def build(self, pks: list[int]) -> list[dict]:
        posts = list(
            Post.objects.filter(
                pk__in=pks, status=Visibility.PUBLISHED, position__gt=1, topic__status=Visibility.PUBLISHED
            )
            .annotate(has_files=has_searchable_files())
            .values_list("pk", "topic_id", "author_id", "created_at", "body_html", "has_files").order_by("pk")
        )
        if not posts:
            return []
        topic_ids = {post[1] for post in posts}
        topics = {
            topic[0]: topic
            for topic in Topic.objects.filter(pk__in=topic_ids).values_list(*TOPIC_FIELDS)
        }
        data = _ForumData()
        data.load_categories({topic[3] for topic in topics.values()})
        tags, jurisdictions = data.labels(topic_ids)
        names = data.names(post[2] for post in posts)
        files = attachment_texts("post_id", [post[0] for post in posts if post[5]])
        topic_url = _topic_url_pattern()
        documents = []
        for pk, topic_id, author_id, created_at, body_html, _ in posts:
            _, title, kind, category_id, _, _, answer_id, answer_status = topics[topic_id]
            audience, association, category = data.category(category_id)
            if not audience:
                continue
            documents.append(
                document(
                    kind="post", pk=pk, title=title, body=join_text(html_to_text(body_html), *files.get(pk, ())),
                    url=f"{topic_url.format(topic_id)}?post={pk}#post-{pk}", published_at=created_at, audience=audience,
                    association=association, category=category, tags=tags.get(topic_id, ()),
                    jurisdictions=jurisdictions.get(topic_id, ()), author=names.get(author_id, ""),
                    author_id=author_id, answered=_answered(kind, answer_id, answer_status), topic_kind=kind,
                )
            )
        return documents
