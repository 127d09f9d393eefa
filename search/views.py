"""The search page and its title suggestions.

Every search runs with the searcher's audience ids, which the backend applies inside the
engine query (search.backends), so nothing is fetched that the searcher may not see. Bad
input never fails the page: search.forms turns each problem into a message. When the
engine is down the page says so (503) and the rest of the site carries on; writes keep
queueing in the outbox (search.outbox) and are indexed when it is back.
"""

import dataclasses
import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from search import selectors
from search.backends import SearchUnavailable, get_search_backend
from search.forms import FACETS, read_search_request
from search.query import SearchQuery, words_of
from search.syntax import canonical_text

logger = logging.getLogger(__name__)

SUGGESTION_MIN_CHARS = 2
SUGGESTIONS_SHOWN = 8


def _search_rate(group, request):
    return settings.SEARCH_RATES["search"]


def _suggest_rate(group, request):
    return settings.SEARCH_RATES["suggest"]


def _parameter_value(facet: str, value) -> str:
    if facet == "answered":
        return "yes" if value else "no"
    return str(value)


class Links:
    """Addresses of this search with one change each (a facet added or removed, another
    sort). A results page has a hundred or more, so the address is read once and each
    link is a plain urlencode of (name, value) pairs. Any change returns to page 1."""

    def __init__(self, params):
        self.path = reverse("search:results")
        self.pairs = [(name, value) for name, values in params.lists() if name != "page" for value in values]

    def __call__(self, **changes) -> str:
        """`changes`: name → a value, a list of values, or None to drop the parameter."""
        pairs = [(name, value) for name, value in self.pairs if name not in changes]
        for name, value in changes.items():
            if value is None:
                continue
            pairs += [(name, item) for item in value] if isinstance(value, list) else [(name, value)]
        return self.path + (f"?{urlencode(pairs)}" if pairs else "")


def _facet_groups(params, link_to, facets, labels) -> list[dict]:
    """Each facet's values with a link that adds or removes it."""
    groups = []
    for facet in FACETS:
        name, parameter = facet.name, facet.parameter
        chosen = params.getlist(parameter)
        options = []
        for value, count in facets.get(name, []):
            as_parameter = _parameter_value(name, value)
            selected = as_parameter in chosen
            if selected:
                link = link_to(**{parameter: [other for other in chosen if other != as_parameter]})
            elif name in ("year", "answered"):
                link = link_to(**{parameter: as_parameter})
            else:
                link = link_to(**{parameter: [*chosen, as_parameter]})
            options.append({
                "label": labels.get(name, {}).get(value, value if value != "" else selectors.COMMONS_LABEL),
                "count": count, "selected": selected, "link": link,
            })
        if options:
            groups.append({"name": name, "heading": facet.heading, "options": options})
    return groups


def _active_filters(params, link, labels, category_names) -> list[dict]:
    """The facet filters in the address, each with a link that removes it."""
    active = []
    for facet in FACETS:
        name, parameter = facet.name, facet.parameter
        chosen = params.getlist(parameter)
        for value in chosen:
            known = labels.get(name, {})
            if name == "category":
                label = category_names.get(value.lower())
                if label is None:
                    continue  # not visible to this searcher: never name it
            elif name == "answered":
                label = known.get(value.lower() == "yes", value)
            elif name == "year":
                label = value
            else:
                label = known.get(value.lower(), value)
            active.append({
                "heading": facet.heading, "label": label,
                "link": link(**{parameter: [other for other in chosen if other != value]}),
            })
    return active


def _pagination(results):
    """A Django page over the showable results, for the shared pagination template."""
    paginator = Paginator(range(min(results.total, results.per_page * max(results.pages, 1))), results.per_page)
    page = paginator.page(min(results.page, paginator.num_pages))
    return page, paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@require_GET
@cache_control(private=True)
@ratelimit(group="search", key="user_or_ip", rate=_search_rate, block=False)
def results(request):
    search = read_search_request(request.GET)
    messages = search.messages
    context = {"q": search.q, "search_messages": messages, "hidden_filters": [], "sort": search.sort}
    for parameter in ("kind", "association", "category", "tag", "jurisdiction", "year", "answered"):
        context["hidden_filters"] += [(parameter, value) for value in request.GET.getlist(parameter)]

    category_names = selectors.visible_categories(request.user, search.filters.get("categories", ()))
    if "categories" in search.filters:
        search.filters["categories"] = tuple(dict.fromkeys([*search.filters["categories"], *category_names]))
    context["scope"] = [category_names[slug] for slug in request.GET.getlist("category") if slug in category_names]

    if getattr(request, "limited", False):
        context["limited"] = True
        return render(request, "search/results.html", context, status=429)
    if search.is_empty:
        return render(request, "search/results.html", context)

    query = SearchQuery(audience=selectors.searcher_audience(request.user), per_page=20, **search.query_kwargs())
    backend = get_search_backend()
    try:
        found = backend.search(query)
        if found.total and found.beyond_window:
            messages.append(f"There are only {found.pages:,} pages of results, so the last one is shown.")
            found = backend.search(dataclasses.replace(query, page=found.pages))
    except SearchUnavailable:
        logger.warning("search unavailable for a query", exc_info=True)
        context["degraded"] = True
        return render(request, "search/results.html", context, status=503)

    labels = selectors.facet_labels(found.facets)
    link = Links(request.GET)
    page_obj, page_range = _pagination(found) if found.total else (None, ())
    context.update({
        "searched": True,
        "results": found,
        "hits": [_hit_view(hit, labels) for hit in found.hits],
        "first_number": (found.page - 1) * found.per_page + 1,
        "facet_groups": _facet_groups(request.GET, link, found.facets, labels),
        "active_filters": _active_filters(request.GET, link, labels, category_names),
        "page_obj": page_obj,
        "page_range": page_range,
        "sort_links": {sort: link(sort=sort) for sort in ("relevance", "date")},
        "effective_sort": query.sort,
        "did_you_mean": _did_you_mean(link, search, found.did_you_mean),
        "clear_filters_link": link(**{facet.parameter: None for facet in FACETS}),
    })
    return render(request, "search/results.html", context)


def _did_you_mean(link, search, suggestion: str | None):
    if not suggestion or words_of(suggestion) == words_of(search.parsed.text):
        return None
    corrected = canonical_text(dataclasses.replace(search.parsed, text=suggestion, messages=()))
    return {"text": corrected, "link": link(q=corrected)}


def _hit_view(hit, labels) -> dict:
    return {
        "hit": hit,
        "kind_label": selectors.KIND_SINGULAR.get(hit.kind, hit.kind),
        "topic_kind_label": selectors.TOPIC_KIND_LABELS.get(hit.topic_kind, ""),
        "association_label": labels["association"].get(hit.association, ""),
        "category_label": labels["category"].get(hit.category, ""),
        "tags": [labels["tags"].get(tag, tag) for tag in hit.tags[:5]],
    }


@require_GET
@cache_control(private=True)
@ratelimit(group="search:suggest", key="user_or_ip", rate=_suggest_rate, block=False)
def suggest(request):
    """Titles starting like what is typed, as an HTML fragment for htmx. Empty (never an
    error) for short input, when rate-limited, or when the engine is down."""
    prefix = request.GET.get("q", "")[:200]
    suggestions = []
    if len(prefix.strip()) >= SUGGESTION_MIN_CHARS and not getattr(request, "limited", False):
        try:
            suggestions = get_search_backend().suggest(
                prefix, audience=selectors.searcher_audience(request.user), limit=SUGGESTIONS_SHOWN,
            )
        except SearchUnavailable:
            logger.warning("search unavailable for suggestions", exc_info=True)
    context = {
        "suggestions": [
            {"suggestion": item, "kind_label": selectors.KIND_SINGULAR.get(item.kind, item.kind)} for item in suggestions
        ],
        "prefix": prefix,
    }
    return render(request, "search/suggestions.html", context)
