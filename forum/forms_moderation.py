"""Forms for flagging posts and for moderators' actions. Services make the decisions; these
forms only collect and clean what was typed, and show a service's errors next to it."""

import datetime

from django import forms
from django.utils import timezone

from forum.models import Category, Flag, Post
from forum.moderation import MAX_REASON_LENGTH

REASON_HELP = "Kept in the moderation log with your name and the time."


def reason_field(label: str = "Reason", *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=REASON_HELP, required=required, max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "height-10"}),
        error_messages={"required": "Give a reason; it is kept in the moderation log."},
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this post?", choices=Flag.Reason.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose why you are flagging this post.",
                        "invalid_choice": "Choose one of the reasons listed."},
    )
    details = forms.CharField(
        label="Details for the moderators", required=False, max_length=1000,
        help_text="Required for “Something else”. Do not repeat confidential case data here.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Flag.Reason.OTHER and not cleaned.get("details", "").strip():
            self.add_error("details", "Tell the moderators what is wrong with this post.")
        return cleaned


POST_ACTIONS = {
    "hide": "Hide post",
    "unhide": "Restore post",
    "approve": "Approve post",
    "resolve": "Dismiss flags",
}


class PostModerationForm(forms.Form):
    """One action on one post; the reason may be left empty only to approve."""

    action = forms.ChoiceField(choices=list(POST_ACTIONS.items()),
                               error_messages={"invalid_choice": "Choose hide, restore, approve or dismiss flags."})
    reason = reason_field(required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") and cleaned.get("action") != "approve" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give a reason; it is kept in the moderation log.")
        return cleaned


TOPIC_TOGGLES = {"lock": "Lock topic", "unlock": "Unlock topic", "pin": "Pin topic", "unpin": "Unpin topic"}


class TopicToggleForm(forms.Form):
    action = forms.ChoiceField(choices=list(TOPIC_TOGGLES.items()),
                               error_messages={"invalid_choice": "Choose lock, unlock, pin or unpin."})
    reason = reason_field()


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category: Category) -> str:
        owner = category.association.short_name if category.association_id else "Interstate commons"
        return f"{category.name} ({owner})"


class MoveTopicForm(forms.Form):
    to_category = CategoryChoiceField(
        label="Move to category", queryset=Category.objects.none(), empty_label="Choose a category",
        error_messages={"required": "Choose the category to move the topic to.",
                        "invalid_choice": "Choose a category you moderate from the list."},
    )
    reason = reason_field()

    def __init__(self, *args, categories, **kwargs):
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)
        self.fields["to_category"].queryset = categories.select_related("association")


class PostChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, post: Post) -> str:
        excerpt = " ".join(post.body.split())
        if len(excerpt) > 120:
            excerpt = excerpt[:119] + "…"
        status = "" if post.is_visible else f" [{post.get_status_display().lower()}]"
        return f"#{post.position} by {post.author}{status}: {excerpt}"


class SplitTopicForm(forms.Form):
    posts = PostChoiceField(
        label="Replies to move into the new topic", queryset=Post.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one reply to split off.",
                        "invalid_choice": "Choose replies from this topic only."},
    )
    new_title = forms.CharField(label="Title of the new topic", max_length=200)
    to_category = CategoryChoiceField(
        label="Category of the new topic", queryset=Category.objects.none(), required=False,
        empty_label="The same category", help_text="Leave as it is to keep the new topic beside this one.",
        error_messages={"invalid_choice": "Choose a category you moderate from the list."},
    )
    reason = reason_field()

    def __init__(self, *args, topic, categories, **kwargs):
        kwargs.setdefault("prefix", "split")
        super().__init__(*args, **kwargs)
        self.fields["posts"].queryset = (
            Post.objects.filter(topic=topic, position__gt=1).select_related("author").order_by("position")
        )
        self.fields["to_category"].queryset = categories.select_related("association")


COMMONS = "commons"


class SuspendForm(forms.Form):
    association = forms.ChoiceField(
        label="Where they may not post",
        error_messages={"required": "Choose where the suspension applies.",
                        "invalid_choice": "Choose an association you moderate from the list."},
    )
    until = forms.DateField(
        label="Suspended until", help_text="They can post again from the start of this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Choose the day the suspension ends.", "invalid": "Enter a date such as 2026-03-31."},
    )
    reason = reason_field(label="Reason (shown to them when they try to post)")

    def __init__(self, *args, associations, include_commons: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(association.pk), f"{association.name} forum") for association in associations]
        if include_commons:
            choices.append((COMMONS, "The interstate commons"))
        self.fields["association"].choices = [("", "Choose where"), *choices]
        self.associations = {str(association.pk): association for association in associations}

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today.")
        return until

    def chosen_association(self):
        value = self.cleaned_data["association"]
        return None if value == COMMONS else self.associations[value]

    def until_datetime(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["until"], datetime.time.min))
