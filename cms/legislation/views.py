"""The updates index page's listing and the /legislation/ overview of every association's
updates (the feeds are in feeds.py)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.models import Page

from cms.legislation import selectors
from cms.legislation.forms import UpdateFilterForm
from cms.legislation.models import LegislativeUpdateIndexPage
from members.models import Association

UPDATES_PER_PAGE = 20
EFFECTIVE_SOON_SHOWN = 12


def feed_links(association: Association) -> list[dict]:
    """For <link rel="alternate"> and the visible feed links."""
    return [
        {"format": "RSS", "type": "application/rss+xml", "url": reverse("legislation:feed", args=[association.slug, "rss"])},
        {"format": "Atom", "type": "application/atom+xml", "url": reverse("legislation:feed", args=[association.slug, "atom"])},
    ]


def index_page_context(request, index_page: LegislativeUpdateIndexPage) -> dict:
    """Filters, one page of updates and the "effective soon" list, as the viewer may see
    them. A fixed number of queries whatever the number of updates."""
    updates = selectors.visible_updates(request.user, index_page)
    form = UpdateFilterForm(request.GET, choices=selectors.filter_choices(updates))
    filters = form.filters()
    listed = selectors.with_listing_relations(selectors.newest_first(selectors.filter_updates(updates, **filters)))
    paginator = Paginator(listed, UPDATES_PER_PAGE)
    # get_page() turns page=-1, page=abc and page=10**9 into the nearest real page.
    page_obj = paginator.get_page(request.GET.get("page"))
    soon = list(
        selectors.effective_soon(updates, days=index_page.effective_soon_days).prefetch_related("jurisdictions")[
            : EFFECTIVE_SOON_SHOWN + 1  # one more, to know whether there are more
        ]
    )
    association = Association.objects.filter(home_page__path=index_page.path[: -Page.steplen]).first()
    return {
        "filter_form": form,
        "is_filtered": bool(filters),
        "chosen_filters": form.chosen_labels(),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
        "effective_soon": soon[:EFFECTIVE_SOON_SHOWN],
        "more_effective_soon": len(soon) > EFFECTIVE_SOON_SHOWN,
        "association": association,
        "feeds": feed_links(association) if association else [],
    }


@require_safe
def overview(request):
    """Every association's updates index with its latest public updates."""
    sections = [
        {
            "association": association,
            "index_page": index_page,
            "recent": selectors.recent_updates_for(association.home_page, limit=3),
            "feeds": feed_links(association),
        }
        for association, index_page in selectors.association_indexes()
    ]
    return render(request, "cms/legislation/overview.html", {"sections": sections})
