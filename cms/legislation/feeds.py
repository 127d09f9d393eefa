"""RSS 2.0 and Atom 1.0 feeds of each association's latest live, public updates."""

from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from wagtail.rich_text import expand_db_html

from cms.legislation import selectors
from cms.legislation.models import LegislativeUpdatePage

FEED_FORMATS = {"rss": Rss201rev2Feed, "atom": Atom1Feed}


class LegislativeUpdatesFeed(Feed):
    """An association's latest live, public updates. Feed readers carry no session, so a
    members-only or draft update never appears, whoever asks."""

    def __init__(self, feed_format: str):
        super().__init__()
        self.feed_type = FEED_FORMATS[feed_format]

    def get_object(self, request, association_slug):
        association, index_page = selectors.association_for_feed(association_slug)
        return {
            "association": association,
            "index_page": index_page,
            "updates": selectors.feed_updates(association.home_page),
        }

    def title(self, subject):
        return f"Legislative and regulatory updates · {subject['association'].short_name}"

    def link(self, subject):
        return subject["index_page"].url

    def description(self, subject):
        return f"Bills, rules and treaty actions that matter to child support practice, from {subject['association'].name}."

    def subtitle(self, subject):
        return self.description(subject)

    def items(self, subject):
        return subject["updates"]

    def item_title(self, update: LegislativeUpdatePage):
        return update.title

    def item_link(self, update: LegislativeUpdatePage):
        return update.url

    def item_description(self, update: LegislativeUpdatePage):
        impact = mark_safe(expand_db_html(update.impact_on_practice)) if update.impact_on_practice else ""
        return format_html("<p><strong>{}</strong></p><p>{}</p>{}", update.summary_line, update.summary, impact)

    def item_pubdate(self, update: LegislativeUpdatePage):
        return update.first_published_at

    def item_updateddate(self, update: LegislativeUpdatePage):
        return update.last_published_at or update.first_published_at

    def item_categories(self, update: LegislativeUpdatePage):
        return [update.get_level_display(), *(tag.name for tag in update.tags.all())]


@require_safe
def feed(request, association_slug, feed_format):
    if feed_format not in FEED_FORMATS:
        raise Http404
    syndication = LegislativeUpdatesFeed(feed_format)
    syndication.feed_url = request.path
    try:
        response = syndication(request, association_slug=association_slug)
    except ObjectDoesNotExist:
        raise Http404 from None
    response["Cache-Control"] = "public, max-age=300"
    return response
