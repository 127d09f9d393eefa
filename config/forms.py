from django.forms.renderers import TemplatesSetting


class AccessibleFormRenderer(TemplatesSetting):
    """Render every form and field with the project's USWDS templates.

    The field template ties each input to its label, hint and error message with
    `for`/`id` and `aria-describedby`, so screen readers announce them together.
    """

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def add_service_errors(form, error) -> None:
    """Show a service's ValidationError on the form: on the field it names where the form
    has that field, above the form otherwise. What the person typed stays in the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
