"""Wagtail admin: credit kinds as snippets (each association's admins manage their own),
and an "Attendees" button on event pages for the association's organisers."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet

from cms.events.models import CreditKind, EventPage
from cms.events.selectors import can_organise
from members import permissions


def managed_associations(user):
    from cms.events.admin_forms import managed_associations

    return managed_associations(user)


class OwnAssociationOnly:
    """Admins of one association never open another's credit kinds by guessing a URL."""

    def get_object(self, queryset=None):
        kind = super().get_object(queryset)
        if not permissions.can_manage_memberships(self.request.user, kind.association):
            raise PermissionDenied
        return kind


class CreditKindEditView(OwnAssociationOnly, EditView):
    pass


class CreditKindDeleteView(OwnAssociationOnly, DeleteView):
    pass


class CreditKindViewSet(SnippetViewSet):
    model = CreditKind
    icon = "tasks"
    menu_label = "Credit kinds"
    add_to_admin_menu = False
    list_display = ["name", "association", "code", "minutes_per_hour", "increment"]
    list_filter = ["association"]
    edit_view_class = CreditKindEditView
    delete_view_class = CreditKindDeleteView

    def get_queryset(self, request):
        return CreditKind.objects.filter(association__in=managed_associations(request.user)).select_related("association")


register_snippet(CreditKindViewSet)


def attendees_button(page, user, priority):
    if page.specific_class is not EventPage:
        return None
    event = page.specific_deferred if not isinstance(page, EventPage) else page
    if not can_organise(user, event):
        return None
    return Button("Attendees and attendance", url=reverse("events:manage", args=[page.pk]), icon_name="group", priority=priority)


@hooks.register("register_page_listing_more_buttons")
def event_attendees_listing_button(page, user, next_url=None):
    button = attendees_button(page, user, priority=25)
    if button is not None:
        yield button


@hooks.register("register_page_header_buttons")
def event_attendees_header_button(page, user, view_name, next_url=None):
    button = attendees_button(page, user, priority=25)
    if button is not None:
        yield button
