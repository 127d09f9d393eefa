from django.forms.renderers import TemplatesSetting


class AccessibleFormRenderer(TemplatesSetting):
    """Render every form and field with the project's USWDS templates.

    The field template ties each input to its label, hint and error message with
    `for`/`id` and `aria-describedby`, so screen readers announce them together.
    """

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
