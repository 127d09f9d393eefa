from django import forms

from notifications.models import Delivery, Kind


class PreferencesForm(forms.Form):
    """One set of radio buttons per kind: how the member wants to hear of it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how to hear about: {kind.label.lower()}.",
                    "invalid_choice": f"Choose one of the options for: {kind.label.lower()}.",
                },
            )

    def chosen(self) -> dict[str, str]:
        """{kind: delivery} for every kind (the form always sends them all)."""
        return {kind.value: self.cleaned_data[kind.value] for kind in Kind}
