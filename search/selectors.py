"""Reads for the search page: who may see what, and human names for facet values."""

from django.contrib.auth.models import Group
from django.db.models.functions import Lower
from taggit.models import Tag

from forum.models import Category
from members import permissions
from members.models import Association, Jurisdiction

KIND_LABELS = {
    "topic": "Forum topics",
    "post": "Forum replies",
    "article": "Newsletter articles",
    "issue": "Newsletter issues",
    "update": "Legislative updates",
    "event": "Events",
    "page": "Pages",
}
# One result's type, as shown beside it.
KIND_SINGULAR = {
    "topic": "Forum topic",
    "post": "Forum reply",
    "article": "Newsletter article",
    "issue": "Newsletter issue",
    "update": "Legislative update",
    "event": "Event",
    "page": "Page",
}
TOPIC_KIND_LABELS = {"discussion": "Discussion", "question": "Question", "procedure": "Procedure"}
COMMONS_LABEL = "Commons (all associations)"


def searcher_audience(user) -> frozenset[str]:
    """The audience ids a search runs with. Site administrators see everything the forum
    shows them, so they hold every role group's audience too."""
    audience = permissions.audience_ids(user)
    if permissions.sees_everything(user):
        group_ids = Group.objects.filter(role_group__isnull=False).values_list("id", flat=True)
        audience |= {permissions.group_audience(group_id) for group_id in group_ids}
    return audience


def facet_labels(facets: dict[str, list[tuple]]) -> dict[str, dict]:
    """{facet name: {value: label}} for the values in `facets` (one query per facet that
    names database rows; values with no row keep their own text)."""
    def values(name):
        return [value for value, _count in facets.get(name, [])]

    labels = {
        "kind": KIND_LABELS,
        "answered": {True: "Answered", False: "Not answered yet"},
        "year": {value: str(value) for value in values("year")},
        "association": dict(Association.objects.filter(slug__in=values("association")).values_list("slug", "name")),
        "category": dict(Category.objects.filter(slug__in=values("category")).values_list("slug", "name")),
        "tags": dict(Tag.objects.filter(slug__in=values("tags")).values_list("slug", "name")),
        # Documents carry codes lowercased: "mo", and tribes' "tribe-navajo-nation" as stored.
        "jurisdictions": dict(
            Jurisdiction.objects.annotate(code_lower=Lower("code"))
            .filter(code_lower__in=[value.lower() for value in values("jurisdictions")])
            .values_list("code_lower", "name")
        ),
    }
    labels["association"][""] = COMMONS_LABEL
    return labels


def visible_categories(user, slugs) -> dict[str, str]:
    """{slug: name} for the named categories `user` may see, and their visible subcategories
    (a category's search box covers its subcategories, as its listing does). A category the
    user may not see is dropped, so its name never shows in a search scope."""
    if not slugs:
        return {}
    from forum.selectors import ForumViewer

    visible = ForumViewer.of(user).categories()
    named = dict(visible.filter(slug__in=slugs).values_list("slug", "name"))
    children = dict(visible.filter(parent__slug__in=named).values_list("slug", "name"))
    return {**named, **children}
