"""Newsletter test data, built through Wagtail (add_child, revisions) and the app's services."""

from dataclasses import dataclass

import pytest
from wagtail.models import PageViewRestriction

from cms.models import AssociationHomePage
from cms.newsletters import services
from cms.newsletters.models import ArticleAuthor, NewsletterArticlePage, NewsletterIndexPage, NewsletterIssuePage
from config import events
from members.models import Association, Role, RoleGroup
from members.services import ensure_role_groups
from tests.factories import AssociationFactory, member_of


@dataclass
class NewsletterSite:
    association: Association
    home: AssociationHomePage
    index: NewsletterIndexPage

    @property
    def members_group(self):
        return RoleGroup.objects.get(association=self.association, role=Role.MEMBER).group


def newsletter_site(**association_fields) -> NewsletterSite:
    """An association with its own site (home page), role groups and newsletter index, as
    seed_demo and an association's admins set one up."""
    from cms.demo import seed_portal

    portal = seed_portal()
    association = AssociationFactory(**association_fields)
    home = portal.add_child(instance=AssociationHomePage(title=association.name, slug=association.slug))
    association.home_page = home
    association.save(update_fields=["home_page"])
    ensure_role_groups(association)
    index = home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))
    return NewsletterSite(association=association, home=home, index=index)


def make_issue(index, *, publish=True, volume=12, number=3, quarter=4, year=2026, title=None, **fields) -> NewsletterIssuePage:
    issue = index.add_child(
        instance=NewsletterIssuePage(
            title=title or f"Issue {volume}.{number}", slug=f"vol-{volume}-no-{number}", volume=volume, number=number,
            quarter=quarter, year=year, live=False,
            editors_note=fields.pop("editors_note", "<p>Our interstate committee reports on UIFSA registration.</p>"),
            **fields,
        )
    )
    if publish:
        issue.save_revision().publish()
        issue.refresh_from_db()
    return issue


def make_article(issue, *, title="Registering an order for enforcement", slug=None, members_only_group=None, tags=(), **fields):
    article = NewsletterArticlePage(
        title=title, slug=slug or title.lower().replace(" ", "-")[:50], live=False,
        summary=fields.pop("summary", "What tribunals ask for."),
        authors=[ArticleAuthor(name="Rosa Delgado", affiliation="Arizona Division of Child Support Services")],
        body=[("paragraph", "<p>Send a certified copy and a sworn statement of arrears.</p>")],
        **fields,
    )
    if tags:
        article.tags.add(*tags)
    article = issue.add_child(instance=article)
    if members_only_group is not None:
        restriction = PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set([members_only_group])
    article.save_revision().publish()
    article.refresh_from_db()
    return article


def subscribed_member(site: NewsletterSite, *roles):
    user = member_of(site.association, *roles)
    services.subscribe(user, site.association)
    return user


@pytest.fixture
def site():
    return newsletter_site()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def heard():
    """issue_published events heard by subscribers (after commit)."""
    received = []

    def handler(**payload):
        received.append(payload)

    events.subscribe("issue_published", handler)
    yield received
    events._subscribers["issue_published"].remove(handler)
