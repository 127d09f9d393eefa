from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from cms.blocks import StandardStreamBlock


class HomePage(Page):
    """The Comity portal: introduces the platform and links to each association's site."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.AssociationHomePage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from members.selectors import associations_for_switcher

        context = super().get_context(request, *args, **kwargs)
        context["association_sites"] = associations_for_switcher()
        return context


class AssociationHomePage(Page):
    """The root of one association's site (its newsletter, updates, events and pages)."""

    tagline = models.CharField(max_length=200, blank=True)
    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("tagline"), FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]


class StandardPage(Page):
    """About, Purposes, Strategic plan, Bylaws, members-only pages and the like."""

    intro = models.CharField(max_length=300, blank=True)
    body = StreamField(StandardStreamBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.AssociationHomePage", "cms.StandardPage"]
