"""Wagtail admin: the newsletter deliveries report and one delivery's page (progress,
failures, resend)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.newsletters import selectors, services

REPORTS_BREADCRUMBS = [
    {"url": reverse_lazy("wagtailadmin_home"), "label": "Home"},
    {"url": reverse_lazy("newsletter_deliveries:index"), "label": "Newsletter deliveries"},
]


class DeliveryListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "cms/newsletters/admin/deliveries.html"
    page_title = "Newsletter deliveries"
    header_icon = "mail"
    paginate_by = 30

    def get_breadcrumbs_items(self):
        return REPORTS_BREADCRUMBS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.deliveries_visible_to(self.request.user), self.paginate_by)
        context["deliveries"] = paginator.get_page(self.request.GET.get("p"))
        return context


class DeliveryDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "cms/newsletters/admin/delivery_detail.html"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        self.delivery = get_object_or_404(selectors.deliveries_visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Delivery of {self.delivery.issue.title}"

    def get_breadcrumbs_items(self):
        return [*REPORTS_BREADCRUMBS, {"url": "", "label": self.delivery.issue.title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["delivery"] = self.delivery
        context["failed_recipients"] = selectors.failed_recipients(self.delivery)
        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[self.delivery.issue_id])
        context["may_resend"] = self.delivery.issue.permissions_for_user(self.request.user).can_publish()
        return context

    def post(self, request, *args, **kwargs):
        include_claimed = request.POST.get("include_claimed") == "yes"
        try:
            requeued = services.retry_delivery(self.delivery, by=request.user, include_claimed=include_claimed)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{requeued} email{'s' if requeued != 1 else ''} queued again.")
        return redirect("newsletter_deliveries:detail", pk=self.delivery.pk)
