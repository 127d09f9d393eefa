from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.newsletters.admin_views import DeliveryDetailView, DeliveryListView
from cms.newsletters.selectors import associations_edited_by
from members import permissions


@hooks.register("register_admin_urls")
def register_delivery_urls():
    urls = [
        path("", DeliveryListView.as_view(), name="index"),
        path("<int:pk>/", DeliveryDetailView.as_view(), name="detail"),
    ]
    return [path("newsletters/deliveries/", include((urls, "newsletter_deliveries"), namespace="newsletter_deliveries"))]


class DeliveriesMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.sees_everything(request.user) or bool(associations_edited_by(request.user))


@hooks.register("register_reports_menu_item")
def register_deliveries_report():
    return DeliveriesMenuItem(
        "Newsletter deliveries", reverse("newsletter_deliveries:index"), name="newsletter-deliveries", icon_name="mail", order=650
    )
