"""The legislative index's filter form (GET)."""

from django import forms

from cms.legislation.models import Level, Status
from cms.legislation.selectors import FilterChoices
from members.forms.profiles import jurisdictions_grouped_by_kind

FILTER_NAMES = ("jurisdiction", "level", "status", "year")


class UpdateFilterForm(forms.Form):
    """Filters for the updates index. An invalid value is reported on its field and that
    filter is left out; the valid ones still apply."""

    jurisdiction = forms.ChoiceField(label="Jurisdiction", required=False)
    level = forms.ChoiceField(label="Level", required=False, choices=[("", "Any level"), *Level.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Status.choices])
    year = forms.TypedChoiceField(
        label="Year",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Introduced, signed or taking effect that year.",
    )

    def __init__(self, data=None, *, choices: FilterChoices, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["jurisdiction"].choices = [
            ("", "Any jurisdiction"),
            *jurisdictions_grouped_by_kind(choices.jurisdictions, value=lambda jurisdiction: jurisdiction.code),
        ]
        self.fields["year"].choices = [("", "Any year"), *((str(year), str(year)) for year in choices.years)]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = (
                f"That {field.label.lower()} is not one of the choices, so it was not used to filter. "
                "Choose one from the list."
            )

    def filters(self) -> dict:
        """The valid, non-empty filters (invalid ones left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters())

    def chosen_labels(self) -> list[str]:
        """Readable "Level: State" pieces for the result count."""
        filters = self.filters()
        labels = []
        for name in FILTER_NAMES:
            if name not in filters:
                continue
            shown = dict(_flatten(self.fields[name].choices)).get(str(filters[name]), filters[name])
            labels.append(f"{self.fields[name].label}: {shown}")
        return labels


def _flatten(choices):
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield value, label
