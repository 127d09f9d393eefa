"""RSS 2.0 and Atom 1.0 feeds of each association's newsletter issues. Feed readers carry
no session, so the feeds hold only live issues anyone may read."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe

from cms.newsletters import selectors
from cms.newsletters.emails import absolute_links
from cms.newsletters.models import NewsletterIssuePage
from members.models import Association


class IssueFeed(Feed):
    def __init__(self, feed_type):
        super().__init__()
        self.feed_type = feed_type

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, association_slug):
        association = get_object_or_404(Association, slug=association_slug)
        index_page = selectors.newsletter_index_for(association)
        if index_page is None or not selectors.visible_pages([index_page], None):
            raise Http404("This association has no public newsletter.")
        return {"association": association, "index_page": index_page, "issues": selectors.feed_issues(association)}

    def title(self, subject):
        return f"{subject['association'].short_name} newsletter"

    def link(self, subject):
        return subject["index_page"].get_url(self.request)

    def description(self, subject):
        return f"New issues of the {subject['association'].name} newsletter."

    def subtitle(self, subject):
        return self.description(subject)

    def items(self, subject):
        return subject["issues"]

    def item_title(self, issue: NewsletterIssuePage):
        return f"{issue.title} ({issue.summary_line})"

    def item_link(self, issue: NewsletterIssuePage):
        return issue.get_url(self.request)

    def item_description(self, issue: NewsletterIssuePage):
        note = absolute_links(issue.editors_note, self.request.build_absolute_uri("/")) if issue.editors_note else ""
        return f"<p>{issue.summary_line}</p>{note}"

    def item_pubdate(self, issue: NewsletterIssuePage):
        return issue.first_published_at

    def item_updateddate(self, issue: NewsletterIssuePage):
        return issue.last_published_at


def serve(request, association_slug, feed_type):
    feed = IssueFeed(feed_type)
    feed.feed_url = request.path
    response = feed(request, association_slug=association_slug)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def rss_feed(request, association_slug):
    return serve(request, association_slug, Rss201rev2Feed)


@require_safe
def atom_feed(request, association_slug):
    return serve(request, association_slug, Atom1Feed)
