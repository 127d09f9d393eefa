"""Forms for a member's own profile and for the members directory's filters."""

from django import forms
from django.forms.models import ModelChoiceIterator

from members import services
from members.models import Jurisdiction, Profile, Role
from members.selectors import directory_associations, directory_jurisdictions


def jurisdictions_grouped_by_kind(jurisdictions, *, value=lambda jurisdiction: jurisdiction.pk) -> list:
    """[(kind label, [(value, name), ...]), ...] for a select with one optgroup per kind,
    states first, in the order of Jurisdiction.Kind."""
    grouped: dict[str, list] = {kind: [] for kind in Jurisdiction.Kind.values}
    for jurisdiction in jurisdictions:
        grouped.setdefault(jurisdiction.kind, []).append((value(jurisdiction), jurisdiction.name))
    labels = dict(Jurisdiction.Kind.choices)
    return [(labels.get(kind, kind), options) for kind, options in grouped.items() if options]


class GroupedJurisdictionIterator(ModelChoiceIterator):
    """Lazy, like Django's own iterator (no query until the select is rendered), but grouped."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from jurisdictions_grouped_by_kind(self.queryset)


class GroupedJurisdictionField(forms.ModelChoiceField):
    """Active jurisdictions in a select grouped by kind (states, territories, tribal nations ...).
    A value that is not an active jurisdiction's id is a field error, never a crash."""

    iterator = GroupedJurisdictionIterator

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose a jurisdiction from the list."})
        super().__init__(queryset=directory_jurisdictions(), **kwargs)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        max_length=150,
        required=False,
        help_text="How your name appears to other members. Leave it empty to use your first and last name.",
    )
    job_title = forms.CharField(label="Job title", max_length=150, required=False)
    agency = forms.CharField(
        label="Agency or employer",
        max_length=200,
        required=False,
        help_text="For example: Missouri Family Support Division.",
    )
    jurisdiction = GroupedJurisdictionField(
        label="Jurisdiction you work in", required=False, empty_label="No jurisdiction chosen"
    )
    bio = forms.CharField(
        label="About you",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Up to 1,000 characters: your work, your areas of practice, what colleagues can ask you about.",
    )
    avatar = forms.FileField(
        label="Choose a new picture",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="A JPEG, PNG, GIF or WebP picture of at most 2 MB and 4000×4000 pixels. "
        "Comity stores a copy of at most 512 pixels a side, without the photo's hidden data (such as location).",
    )
    remove_avatar = forms.BooleanField(label="Remove my current profile picture", required=False)
    listed_in_directory = forms.BooleanField(label="List me in the members directory", required=False)
    show_agency = forms.BooleanField(label="Show my agency to other members", required=False)
    show_jurisdiction = forms.BooleanField(label="Show my jurisdiction to other members", required=False)
    is_interstate_contact = forms.BooleanField(label="Show my interstate contact card", required=False)
    work_email = forms.EmailField(
        label="Work email address",
        required=False,
        help_text="Required for the interstate contact card. Members see it on your profile.",
        error_messages={"invalid": "Enter an email address such as name@agency.gov."},
    )
    work_phone = forms.CharField(
        label="Work phone number",
        max_length=40,
        required=False,
        help_text="Required for the interstate contact card. For example: 573-555-0142 ext. 12.",
    )
    case_types = forms.MultipleChoiceField(
        label="Case types you can help with",
        choices=Profile.CaseType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose case types from the list."},
    )

    VISIBILITY_FIELDS = ("listed_in_directory", "show_agency", "show_jurisdiction")
    INTERSTATE_FIELDS = ("is_interstate_contact", "work_email", "work_phone", "case_types")
    ABOUT_FIELDS = ("display_name", "job_title", "agency", "jurisdiction", "bio")

    def __init__(self, *args, user, profile: Profile, **kwargs):
        self.user = user
        self.profile = profile
        initial = {
            "display_name": user.display_name,
            "job_title": profile.job_title,
            "agency": profile.agency,
            "jurisdiction": profile.jurisdiction_id,
            "bio": profile.bio,
            "listed_in_directory": profile.listed_in_directory,
            "show_agency": profile.show_agency,
            "show_jurisdiction": profile.show_jurisdiction,
            "is_interstate_contact": profile.is_interstate_contact,
            "work_email": profile.work_email,
            "work_phone": profile.work_phone,
            "case_types": list(profile.case_types or []),
        }
        super().__init__(*args, initial=initial, **kwargs)
        if not profile.avatar:
            del self.fields["remove_avatar"]

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        try:
            return services.prepare_avatar(upload)
        except services.ProfileError as error:
            raise forms.ValidationError(error.message_dict["avatar"]) from None

    def clean_work_phone(self):
        work_phone = self.cleaned_data.get("work_phone", "").strip()
        if message := services.phone_number_error(work_phone):
            raise forms.ValidationError(message)
        return work_phone

    def clean(self):
        cleaned = super().clean()
        errors = services.interstate_contact_errors(
            is_interstate_contact=cleaned.get("is_interstate_contact", False),
            work_email=cleaned.get("work_email", ""),
            work_phone=cleaned.get("work_phone", ""),
        )
        for field, message in errors.items():
            if field not in self.errors:  # an invalid value already has its own message
                self.add_error(field, message)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "agency": data["agency"],
            "jurisdiction": data["jurisdiction"],
            "job_title": data["job_title"],
            "bio": data["bio"],
            "listed_in_directory": data["listed_in_directory"],
            "show_agency": data["show_agency"],
            "show_jurisdiction": data["show_jurisdiction"],
            "is_interstate_contact": data["is_interstate_contact"],
            "work_email": data["work_email"],
            "work_phone": data["work_phone"],
            "case_types": data["case_types"],
            "avatar": data.get("avatar"),
            "remove_avatar": data.get("remove_avatar", False),
        }

    def fields_named(self, names):
        return [self[name] for name in names if name in self.fields]

    def about_fields(self):
        return self.fields_named(self.ABOUT_FIELDS)

    def visibility_fields(self):
        return self.fields_named(self.VISIBILITY_FIELDS)

    def interstate_fields(self):
        return self.fields_named(self.INTERSTATE_FIELDS)


class SearchInput(forms.TextInput):
    input_type = "search"


class DirectoryFilterForm(forms.Form):
    """The directory's GET filters. An invalid value is reported and that filter ignored."""

    q = forms.CharField(label="Name or agency", max_length=100, required=False, widget=SearchInput)
    association = forms.ChoiceField(label="Association", required=False)
    jurisdiction = forms.ChoiceField(label="Jurisdiction", required=False)
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *Role.choices])
    interstate = forms.BooleanField(label="Interstate contacts only", required=False)

    def __init__(self, *args, associations=None, jurisdictions=None, **kwargs):
        super().__init__(*args, **kwargs)
        associations = directory_associations() if associations is None else associations
        jurisdictions = directory_jurisdictions() if jurisdictions is None else jurisdictions
        self.fields["association"].choices = [
            ("", "Any association"),
            *((association.slug, association.name) for association in associations),
        ]
        self.fields["jurisdiction"].choices = [
            ("", "Any jurisdiction"),
            *jurisdictions_grouped_by_kind(jurisdictions, value=lambda jurisdiction: jurisdiction.code),
        ]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = (
                f"That {field.label.lower()} is not in the list; it was not used to filter."
            )

    def filters(self) -> dict:
        """Keyword arguments for `selectors.directory_members` from the valid fields only."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "association": data.get("association") or None,
            "jurisdiction": data.get("jurisdiction") or None,
            "role": data.get("role") or None,
            "interstate_only": bool(data.get("interstate")),
            "query": (data.get("q") or "").strip(),
        }

