from django import forms

from members.models import Jurisdiction


def active_jurisdictions():
    return Jurisdiction.objects.filter(is_active=True).order_by("kind", "name")


class JurisdictionChoiceField(forms.ModelChoiceField):
    """A jurisdiction select with states, territories, tribal nations ... in optgroups.

    The grouped choices are built when a form is instantiated (never at import time);
    validation still goes through the queryset, so a forged id is simply an invalid choice.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose a jurisdiction from the list."})
        super().__init__(queryset=active_jurisdictions(), **kwargs)

    def __deepcopy__(self, memo):
        field = super().__deepcopy__(memo)
        grouped: dict[str, list] = {}
        for jurisdiction in field.queryset:
            grouped.setdefault(jurisdiction.get_kind_display(), []).append((jurisdiction.pk, jurisdiction.name))
        field.choices = [("", "Choose a jurisdiction"), *grouped.items()]
        return field
