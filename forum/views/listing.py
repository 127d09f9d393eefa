"""Forum listings: the index of categories, topics by category, tag and jurisdiction, and a
member's bookmarks. Every page builds one `ForumViewer` and reads through the selectors, so
it costs the same dozen queries however many topics it shows."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import validate_slug
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse

from forum.models import Topic, Visibility
from forum.selectors import (
    LISTING_SORTS,
    ForumViewer,
    bookmarked_topics,
    index_categories,
    listed_jurisdiction,
    listing_jurisdictions,
    listing_topics,
    visible_category,
    visible_tag,
)
from members.forms.profiles import jurisdictions_grouped_by_kind
from members.models import Jurisdiction

UNANSWERED_ON_INDEX = 5
SORT_CHOICES = [("activity", "Latest activity"), ("newest", "Newest"), ("helpful", "Most helpful")]
assert {value for value, _ in SORT_CHOICES} == set(LISTING_SORTS)


class TopicFilterForm(forms.Form):
    """A listing's GET filters. An invalid value is reported and that filter ignored; the
    others still apply."""

    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Topic.Kind.choices])
    answered = forms.ChoiceField(
        label="Answered",
        required=False,
        choices=[("", "Answered or not"), ("yes", "Answered"), ("no", "Unanswered questions")],
    )
    category = forms.ChoiceField(label="Category", required=False)
    tag = forms.CharField(
        label="Tag", required=False, max_length=50, validators=[validate_slug],
        help_text="One tag, as in its link: for example controlling-order.",
    )
    jurisdiction = forms.ChoiceField(label="Jurisdiction", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, data=None, *, categories=None, with_tag=True, with_jurisdiction=True, **kwargs):
        super().__init__(data, **kwargs)
        self.options = {"categories": categories, "with_tag": with_tag, "with_jurisdiction": with_jurisdiction}
        if categories is None:
            del self.fields["category"]
        else:
            self.fields["category"].choices = [("", "Any category"), *_grouped_categories(categories)]
        if not with_tag:
            del self.fields["tag"]
        if with_jurisdiction:
            self.fields["jurisdiction"].choices = [
                ("", "Any jurisdiction"),
                *jurisdictions_grouped_by_kind(
                    [Jurisdiction(code=code, name=name, kind=kind) for code, name, kind in listing_jurisdictions()],
                    value=lambda jurisdiction: jurisdiction.code,
                ),
            ]
        else:
            del self.fields["jurisdiction"]
        for name, field in self.fields.items():
            field.error_messages["invalid_choice"] = f"That {field.label.lower()} is not in the list; it was not used to filter."
        if "tag" in self.fields:
            self.fields["tag"].error_messages["invalid"] = "Tags are written in lowercase letters, digits and hyphens."

    def clean_tag(self) -> str:
        return (self.cleaned_data.get("tag") or "").lower()

    def valid_filters(self) -> dict:
        """The cleaned values of the valid fields only (empty ones left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def ignored(self) -> list[str]:
        self.is_valid()
        return [f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items() if name in self.fields]


def _grouped_categories(categories) -> list:
    """Category choices with one optgroup per association, the interstate commons first."""
    groups: dict = {}
    for category in categories:
        label = category.association.name if category.association_id else "Interstate commons"
        groups.setdefault((category.association_id is not None, label), []).append((category.slug, category.name))
    return [(label, options) for (_, label), options in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1].lower()))]


def _read_filters(request, form: TopicFilterForm) -> tuple[dict, TopicFilterForm]:
    """Apply the valid filters, report the invalid ones, and return a form showing what is
    in effect (so an ignored value does not linger in the form)."""
    filters = form.valid_filters()
    for problem in form.ignored():
        messages.warning(request, problem)
    if form.errors:
        shown = QueryDict(mutable=True)
        shown.update(filters)
        form = TopicFilterForm(shown, **form.options)
    return filters, form


def _feed(kind: str, key: str, label: str, *, is_public: bool = False) -> dict:
    """Context for forum/includes/feed_links.html."""
    return {"feed_kind": kind, "feed_key": key, "feed_label": label, "feed_is_public": is_public}


def _answered(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _page(request, topics):
    paginator = Paginator(topics, settings.FORUM_TOPICS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return page, paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


def _render_listing(request, viewer, *, heading, form, filters, extra, **listing_kwargs):
    sort = filters.get("sort", "activity")
    topics = listing_topics(
        viewer,
        kind=filters.get("kind"),
        answered=_answered(filters.get("answered")),
        tag=listing_kwargs.pop("tag", None) or filters.get("tag"),
        jurisdiction=listing_kwargs.pop("jurisdiction", None) or filters.get("jurisdiction"),
        sort=sort,
        **listing_kwargs,
    )
    page_obj, page_range = _page(request, topics)
    is_filtered = any(name in filters for name in ("kind", "answered", "tag", "jurisdiction", "category"))
    context = {
        "heading": heading,
        "form": form,
        "page_obj": page_obj,
        "page_range": page_range,
        "is_filtered": is_filtered,
        "sort_label": dict(SORT_CHOICES)[sort],
        "viewer_signed_in": viewer.is_authenticated,
        **extra,
    }
    return render(request, "forum/topic_list.html", context)


def index(request):
    viewer = ForumViewer.of(request.user)
    unanswered = list(
        viewer.topics()
        .filter(kind=Topic.Kind.QUESTION, accepted_answer__isnull=True, status=Visibility.PUBLISHED)
        .select_related("category")
        .order_by("-last_activity_at", "-pk")[:UNANSWERED_ON_INDEX]
    )
    return render(
        request,
        "forum/index.html",
        {"groups": index_categories(viewer), "unanswered": unanswered, "viewer_signed_in": viewer.is_authenticated},
    )


def category(request, slug):
    viewer = ForumViewer.of(request.user)
    found = visible_category(viewer, slug)
    if found is None:
        raise Http404("No such category.")
    filters, form = _read_filters(request, TopicFilterForm(request.GET))
    sort = filters.get("sort", "activity")
    return _render_listing(
        request, viewer, heading=found.name, form=form, filters=filters,
        category=found, pinned_first=sort == "activity",
        extra={
            "category": found,
            "description": found.description,
            "subcategories": found.visible_children,
            "can_post": viewer.can_post_in(found),
            "category_search_filters": [("category", found.slug)],
            "new_topic_url": reverse("forum:new_topic", args=[found.slug]),
            "follow": {"kind": "category", "key": found.slug, "following": found.viewer_follows, "name": found.name},
            **_feed("category", found.slug, found.name, is_public=found.visibility == found.Visibility.PUBLIC),
        },
    )


def _categories_filter(request, viewer):
    categories = list(viewer.categories().order_by("position", "name"))
    return categories, {category.slug: category for category in categories}


def tag(request, slug):
    viewer = ForumViewer.of(request.user)
    found = visible_tag(viewer, slug)
    if found is None:
        raise Http404("No such tag.")
    categories, by_slug = _categories_filter(request, viewer)
    filters, form = _read_filters(request, TopicFilterForm(request.GET, categories=categories, with_tag=False))
    return _render_listing(
        request, viewer, heading=f"Tagged “{found.name}”", form=form, filters=filters,
        tag=found.slug, category=by_slug.get(filters.get("category")),
        extra={
            "tag": found,
            "show_category": True,
            "follow": {"kind": "tag", "key": found.slug, "following": found.viewer_follows, "name": f"the tag {found.name}"},
            **_feed("tag", found.slug, f"topics tagged “{found.name}”"),
        },
    )


def jurisdiction(request, code):
    viewer = ForumViewer.of(request.user)
    found = listed_jurisdiction(viewer, code)
    if found is None:
        raise Http404("No such jurisdiction.")
    categories, by_slug = _categories_filter(request, viewer)
    filters, form = _read_filters(
        request, TopicFilterForm(request.GET, categories=categories, with_jurisdiction=False)
    )
    return _render_listing(
        request, viewer, heading=found.name, form=form, filters=filters,
        jurisdiction=found.code, category=by_slug.get(filters.get("category")),
        extra={
            "jurisdiction": found,
            "description": f"Topics about {found.name} ({found.get_kind_display().lower()}).",
            "show_category": True,
            "follow": {"kind": "jurisdiction", "key": found.code, "following": found.viewer_follows, "name": found.name},
            **_feed("jurisdiction", found.code, f"topics about {found.name}"),
        },
    )


@login_required
def bookmarks(request):
    viewer = ForumViewer.of(request.user)
    page_obj, page_range = _page(request, bookmarked_topics(viewer))
    return render(
        request,
        "forum/bookmarks.html",
        {"page_obj": page_obj, "page_range": page_range, "show_category": True, "viewer_signed_in": True},
    )
