"""Every form renders through the accessible USWDS templates (config.forms)."""

import pytest
from django import forms

pytestmark = pytest.mark.smoke


class MembershipEnquiryForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=40)
    agency = forms.CharField(label="Agency", help_text="Your employer, as on your badge.")
    jurisdiction = forms.ChoiceField(label="Jurisdiction", choices=[("", "Choose"), ("MO", "Missouri")])
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    interstate_contact = forms.BooleanField(label="List me as an interstate contact", required=False)


def test_labels_hints_and_errors_are_tied_to_their_inputs():
    form = MembershipEnquiryForm(data={"full_name": "A" * 41, "agency": "", "jurisdiction": "XX", "notes": "kept"})
    assert not form.is_valid()
    html = str(form)

    assert '<label class="usa-label usa-label--error" for="id_full_name">Full name' in html
    assert 'aria-describedby="id_agency_helptext id_agency_error"' in html
    assert '<div class="usa-hint" id="id_agency_helptext">Your employer, as on your badge.</div>' in html
    assert '<span class="usa-error-message" id="id_agency_error" role="alert">This field is required.</span>' in html
    assert 'aria-invalid="true"' in html
    # What the member typed is still there after the error.
    assert 'value="' + "A" * 41 + '"' in html
    assert ">\nkept</textarea>" in html
    assert 'class="usa-select"' in html
    assert 'class="usa-checkbox__input"' in html
    assert '<label class="usa-checkbox__label" for="id_interstate_contact">' in html
