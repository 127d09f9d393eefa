from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    """Credit hours without trailing zeros: 1.8, 2, 1.75."""
    if value in (None, ""):
        return ""
    return format(Decimal(value).normalize(), "f")
