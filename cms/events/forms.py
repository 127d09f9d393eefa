"""Public forms: a guest's registration and an organiser's attendance sheet."""

from django import forms

from members.forms.fields import JurisdictionChoiceField


class GuestRegistrationForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=150, help_text="As it should appear on your certificate of attendance.")
    email = forms.EmailField(
        label="Email address", max_length=254,
        help_text="Your confirmation, and a link to change or cancel your registration, are sent here.",
        error_messages={"invalid": "Enter an email address like name@agency.gov."},
    )
    agency = forms.CharField(label="Agency or organisation", max_length=200)
    jurisdiction = JurisdictionChoiceField(label="Jurisdiction you work in (optional)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["agency"].widget.attrs["autocomplete"] = "organization"


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label="Attended", widget=forms.CheckboxSelectMultiple, required=False,
        error_messages={"invalid_choice": "Someone in the list is no longer registered; reload the page and try again."},
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(r.pk), r.name) for r in registrations]

    @property
    def attended_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["attended"]}
