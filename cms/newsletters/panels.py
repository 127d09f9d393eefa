"""The "Email delivery" tab of an issue's edit view: how far the emailing has got."""

from django.urls import reverse
from wagtail.admin.panels import Panel


class DeliveryProgressPanel(Panel):
    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "Email delivery")
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/newsletters/admin/delivery_panel.html"

        def get_context_data(self, parent_context=None):
            from cms.newsletters.selectors import delivery_with_progress

            context = super().get_context_data(parent_context)
            delivery = delivery_with_progress(self.instance.pk) if self.instance.pk else None
            context["delivery"] = delivery
            if delivery is not None:
                context["detail_url"] = reverse("newsletter_deliveries:detail", args=[delivery.pk])
            return context
