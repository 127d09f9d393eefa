"""The Wagtail admin form for event pages.

It offers only the event's own association's regions and credit kinds, and checks the
submitted sessions and credit lines against the submitted event dates, putting each message
on the field it concerns (the page model cannot: while the form validates, the page still
holds its previous sessions).
"""

from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from cms.events import validation


class EventPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cms.events.models import CreditKind
        from members.models import Region

        self.instance.sessions_checked_by_form = True
        self.association = self.association_of_page()
        if "region" in self.fields:
            self.fields["region"].queryset = Region.objects.filter(association=self.association)
        kinds = CreditKind.objects.filter(association=self.association)
        self.credit_kinds = {kind.pk: kind for kind in kinds}
        sessions = self.formsets.get("sessions")
        if sessions is not None:
            # Set before any session form is built, so the blank form the admin clones for
            # "Add session" offers the same choices.
            sessions.form = session_form_offering(sessions.form, kinds)

    def association_of_page(self):
        from cms.selectors import association_for_page

        page = self.instance if self.instance.path else self.parent_page
        return association_for_page(page) if page is not None else None

    def is_valid(self):
        valid = super().is_valid()
        return self.check_sessions() and valid

    def check_sessions(self) -> bool:
        sessions = self.formsets.get("sessions")
        if sessions is None:
            return True
        data = getattr(self, "cleaned_data", {})
        _, event = validation.event_window(
            data.get("start_date"), data.get("start_time"), data.get("end_date"), data.get("end_time"),
            data.get("time_zone"),
        )
        zone = validation.zone_named(data.get("time_zone") or "")
        sound = True
        for session_form in sessions.forms:
            cleaned = getattr(session_form, "cleaned_data", None)
            if cleaned is None:  # its formset was never validated (a broken submission)
                continue
            if cleaned.get("DELETE"):
                sound &= self.check_removal(session_form)
                continue
            errors, minutes = validation.session_errors(
                cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time"), zone, event
            )
            for field, message in errors.items():
                session_form.add_error(field, message)
                sound = False
            sound &= self.check_credits(session_form, minutes)
        return sound

    def check_credits(self, session_form, minutes: int | None) -> bool:
        credits = session_form.formsets.get("credits")
        if credits is None:
            return True
        sound = True
        for credit_form in credits.forms:
            cleaned = getattr(credit_form, "cleaned_data", None) or {}
            if cleaned.get("DELETE"):
                continue
            kind = cleaned.get("credit_kind")
            if kind is None:
                continue
            if kind.pk not in self.credit_kinds:
                credit_form.add_error("credit_kind", "Choose one of this association's credit kinds.")
                sound = False
                continue
            message = validation.credit_hours_error(
                cleaned.get("hours"), kind_name=kind.name, minutes_per_hour=kind.minutes_per_hour,
                increment=kind.step, session_minutes=minutes,
            )
            if message:
                credit_form.add_error("hours", message)
                sound = False
        return sound

    def check_removal(self, session_form) -> bool:
        """A session whose attendance is recorded carries people's credits; it stays."""
        session = session_form.instance
        if session.pk is None or not session.attendances.exists():
            return True
        self.add_error(
            None,
            f"The session “{session.title}” has recorded attendance, so it cannot be removed: "
            "attendees' credits depend on it. Clear its attendance first.",
        )
        return False


def session_form_offering(session_form_class, kinds):
    """A subclass of the admin's session form whose credit lines offer only `kinds`."""

    class SessionForm(session_form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            credits = self.formsets.get("credits")
            if credits is not None:
                credits.form = credit_form_offering(credits.form, kinds)

    return SessionForm


def credit_form_offering(credit_form_class, kinds):
    class CreditForm(credit_form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "credit_kind" in self.fields:
                self.fields["credit_kind"].queryset = kinds

    return CreditForm


def managed_associations(user):
    """Associations whose credit kinds `user` manages (its admins; site administrators: all)."""
    from members import permissions
    from members.models import Association

    if permissions.sees_everything(user):
        return Association.objects.all()
    return Association.objects.filter(pk__in=[a.pk for a in permissions.associations_managed_by(user)])


class CreditKindForm(WagtailAdminModelForm):
    """Offers only the associations the editor manages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "association" in self.fields and self.for_user is not None:
            self.fields["association"].queryset = managed_associations(self.for_user)
