from django import forms

from members.forms.fields import JurisdictionChoiceField
from members.models import EligibilityCategory, Membership, Region, Role
from members.selectors import eligibility_categories


class EligibilityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category: EligibilityCategory) -> str:
        label = str(category)
        return f"{label} — {category.description}" if category.description else label


class MembershipApplicationForm(forms.Form):
    eligibility_category = EligibilityChoiceField(
        queryset=EligibilityCategory.objects.none(),
        widget=forms.RadioSelect,
        label="Eligibility category",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of this association's eligibility categories."},
    )
    agency = forms.CharField(label="Agency or employer", max_length=200)
    jurisdiction = JurisdictionChoiceField(label="Jurisdiction you work in")
    job_title = forms.CharField(label="Job title", max_length=150)
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(), required=False, label="Region", empty_label="No region",
        error_messages={"invalid_choice": "Choose one of this association's regions."},
    )
    statement = forms.CharField(
        label="Anything the membership committee should know (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
    confirm = forms.BooleanField(label="I confirm this information is accurate and work-related.")

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association
        self.fields["eligibility_category"].queryset = eligibility_categories(association)
        regions = association.regions.all()
        if regions.exists():
            self.fields["region"].queryset = regions
        else:
            del self.fields["region"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[("approve", "Approve"), ("reject", "Reject")],
    )
    reason = forms.CharField(
        label="Reason (sent to the applicant; required to reject)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why the application is rejected; the applicant will read it.")
        return cleaned


class LapseForm(forms.Form):
    reason = forms.CharField(
        label="Why the membership ends (sent to the member)", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles in addition to membership",
        widget=forms.CheckboxSelectMultiple,
        choices=[choice for choice in Role.choices if choice[0] != Role.MEMBER],
        required=False,
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        kwargs.setdefault("initial", {"roles": [a.role for a in membership.role_assignments.all()]})
        super().__init__(*args, **kwargs)
