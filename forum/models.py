"""Forum data: categories (per association or the shared interstate commons), topics of
three kinds, posts with revisions, answers and helpful votes, attachments, follows,
bookmarks, read state, flags and the moderation audit log."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from forum.confidential.findings import FindingKind
from members.models import Association, Jurisdiction


class Category(models.Model):
    """A forum category. Belongs to an association, or to the interstate commons when
    `association` is empty. Who can see it is its audience (see `audience_ids`)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone, signed in or not"
        SIGNED_IN = "signed_in", "Anyone signed in"
        MEMBERS = "members", "Members (of the association; of any association for the commons)"
        GROUP = "group", "One group (such as the board)"

    association = models.ForeignKey(
        Association, null=True, blank=True, on_delete=models.CASCADE, related_name="forum_categories",
        help_text="Empty for the shared interstate commons.",
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True, max_length=1000)
    position = models.PositiveSmallIntegerField(default=0)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Only for visibility 'one group'.",
    )
    # Hold a member's first posts here for review (0 = never), per the association's policy.
    hold_first_posts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility="group", group__isnull=False) | (~Q(visibility="group") & Q(group__isnull=True)),
                name="forum_category_group_iff_group_visibility",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forum:category", args=[self.slug])

    @property
    def audience_ids(self) -> frozenset[str]:
        from members import permissions

        return permissions.category_audience_ids(self)


class Visibility:
    """Publication states shared by topics and posts."""

    PUBLISHED = "published"
    HELD = "held"
    HIDDEN = "hidden"
    CHOICES = [(PUBLISHED, "Published"), (HELD, "Held for review"), (HIDDEN, "Hidden by a moderator")]


class Topic(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        QUESTION = "question", "Practice question"
        PROCEDURE = "procedure", "Shared procedure"

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_topics")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_post = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post_count = models.PositiveIntegerField(default=0, help_text="Visible posts, the opening post included.")
    helpful_total = models.PositiveIntegerField(default=0)
    accepted_answer = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    # Follows the opening post: held while it waits for review, hidden if a moderator hides it.
    status = models.CharField(max_length=10, choices=Visibility.CHOICES, default=Visibility.PUBLISHED, db_index=True)
    tags = TaggableManager(blank=True)
    jurisdictions = models.ManyToManyField(Jurisdiction, blank=True, related_name="forum_topics")

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at"]
        indexes = [
            models.Index(fields=["category", "-is_pinned", "-last_activity_at"], name="forum_topic_listing"),
            models.Index(fields=["category", "kind", "-last_activity_at"], name="forum_topic_kind_listing"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forum:topic", args=[self.pk])

    @property
    def is_answered(self) -> bool:
        return self.accepted_answer_id is not None


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_posts")
    position = models.PositiveIntegerField(help_text="1 for the opening post, then in order of posting.")
    body = models.TextField("Markdown", max_length=20000)
    body_html = models.TextField(editable=False, help_text="Rendered and sanitised once, at each save.")
    quoted_post = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Visibility.CHOICES, default=Visibility.PUBLISHED, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["topic", "position"]
        constraints = [models.UniqueConstraint(fields=["topic", "position"], name="forum_post_position_unique")]
        indexes = [models.Index(fields=["topic", "status", "position"], name="forum_post_in_topic")]

    def __str__(self):
        return f"Post {self.position} in {self.topic}"

    def get_absolute_url(self):
        return f"{self.topic.get_absolute_url()}?post={self.pk}#post-{self.pk}"

    @property
    def is_visible(self) -> bool:
        return self.status == Visibility.PUBLISHED


class PostRevision(models.Model):
    """The text of a post before an edit, kept so the edit history can show diffs."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "created_at"]


class HelpfulVote(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="helpful_votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "voter"], name="forum_one_helpful_vote")]


def private_storage():
    # Attachments never live under MEDIA_URL: only the download view, which checks who asks, serves them.
    return storages["private"]


def attachment_upload_path(attachment: "Attachment", filename: str) -> str:
    import uuid

    # Stored under a random name; the uploader's file name is kept only as data.
    return f"forum/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a post. For procedure topics, a new version `supersedes` the previous one."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_path, storage=private_storage, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120, help_text="Detected from the content, not the name.")
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )

    class Extraction(models.TextChoices):
        PENDING = "pending", "Waiting for text extraction"
        DONE = "done", "Text extracted"
        NO_TEXT = "no_text", "No text found (a scanned document?)"
        FAILED = "failed", "The file could not be read"
        NOT_A_DOCUMENT = "not_document", "Not a document (an image)"

    class Review(models.TextChoices):
        NONE = "none", "No confidential data found"
        QUARANTINED = "quarantined", "Quarantined until a moderator reviews it"
        CLEARED = "cleared", "Cleared by a moderator"
        REMOVED = "removed", "Removed by a moderator"

    # Text extraction (forum/extraction/) runs in a background task after the upload.
    extraction_status = models.CharField(max_length=12, choices=Extraction.choices, default=Extraction.PENDING)
    extraction_message = models.CharField(max_length=300, blank=True, help_text="Plain words on what went wrong.")
    extracted_text = models.TextField(blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)
    # The confidential-data guard: an attachment with findings is quarantined, and only its
    # uploader and the category's moderators can open it until a moderator decides.
    review_status = models.CharField(max_length=12, choices=Review.choices, default=Review.NONE, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at"]

    @property
    def withheld(self) -> bool:
        """Not yet for everyone: the guard has not read it yet, or found what may be case data."""
        return self.extraction_status == self.Extraction.PENDING or self.review_status == self.Review.QUARANTINED

    def __str__(self):
        return self.original_name


class Follow(models.Model):
    """A member following one thing: a topic, a category, a tag or a jurisdiction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_follows")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    tag = models.ForeignKey("taggit.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(topic__isnull=False, category__isnull=True, tag__isnull=True, jurisdiction__isnull=True)
                    | Q(topic__isnull=True, category__isnull=False, tag__isnull=True, jurisdiction__isnull=True)
                    | Q(topic__isnull=True, category__isnull=True, tag__isnull=False, jurisdiction__isnull=True)
                    | Q(topic__isnull=True, category__isnull=True, tag__isnull=True, jurisdiction__isnull=False)
                ),
                name="forum_follow_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["user", "topic"], condition=Q(topic__isnull=False), name="forum_follow_topic_once"),
            models.UniqueConstraint(fields=["user", "category"], condition=Q(category__isnull=False), name="forum_follow_category_once"),
            models.UniqueConstraint(fields=["user", "tag"], condition=Q(tag__isnull=False), name="forum_follow_tag_once"),
            models.UniqueConstraint(
                fields=["user", "jurisdiction"], condition=Q(jurisdiction__isnull=False), name="forum_follow_jurisdiction_once"
            ),
        ]


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_bookmarks")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="forum_bookmark_once")]


class TopicReadState(models.Model):
    """How far a member has read a topic, for "new replies since your last visit"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    last_read_position = models.PositiveIntegerField(default=0)
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="forum_read_state_once")]


class Flag(models.Model):
    class Reason(models.TextChoices):
        CASE_DATA = "case_data", "Contains confidential case data"
        INACCURATE = "inaccurate", "Inaccurate or outdated guidance"
        OFF_TOPIC = "off_topic", "Off topic"
        ABUSIVE = "abusive", "Abusive or disrespectful"
        SPAM = "spam", "Spam or advertising"
        OTHER = "other", "Something else"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "flagged_by"], condition=Q(resolved_at__isnull=True), name="forum_flag_once_while_open"
            ),
        ]


class PostingSuspension(models.Model):
    """A moderator stops someone posting in an association's categories until a date."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posting_suspensions")
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                    help_text="Empty: the interstate commons.")
    until = models.DateTimeField()
    reason = models.TextField(max_length=1000)
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class ModerationAction(models.Model):
    """The audit log: every moderation action, who took it, when and why."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hid a post"
        UNHIDE = "unhide", "Restored a post"
        APPROVE = "approve", "Approved a held post"
        LOCK = "lock", "Locked a topic"
        UNLOCK = "unlock", "Unlocked a topic"
        PIN = "pin", "Pinned a topic"
        UNPIN = "unpin", "Unpinned a topic"
        MOVE = "move", "Moved a topic"
        SPLIT = "split", "Split replies into a new topic"
        SUSPEND = "suspend", "Suspended from posting"
        RESOLVE_FLAG = "resolve_flag", "Resolved a flag"
        ACCEPT_ANSWER = "accept_answer", "Accepted an answer for the asker"
        REDACT = "redact", "Redacted confidential text"
        CLEAR_FILE = "clear_file", "Cleared a quarantined attachment"
        REMOVE_FILE = "remove_file", "Removed a quarantined attachment"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=14, choices=Action.choices)
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(max_length=1000)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]


class FeedToken(models.Model):
    """A member's secret for private feeds (categories only members can see). Resetting it
    makes every old private feed URL stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)


class GuardFinding(models.Model):
    """One finding of the confidential case-data guard in a post or an attachment: its kind,
    place and confidence, and what became of it. Never the text itself, so findings can be
    counted in reports and shown to moderators without copying the data they point at."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "The author confirmed it is not real case data"
        HELD = "held", "Held for a moderator"
        QUARANTINED = "quarantined", "Attachment quarantined"
        CLEARED = "cleared", "Cleared by a moderator"
        REDACTED = "redacted", "Redacted by a moderator"
        REMOVED = "removed", "Removed by a moderator"

    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="guard_findings")
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.CASCADE, related_name="guard_findings"
    )
    # Kept for the association's monthly report even if the post is later moved.
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    class Place(models.TextChoices):
        TITLE = "title", "Title"
        BODY = "body", "Text"

    kind = models.CharField(max_length=24, choices=FindingKind.choices)
    # Where in a post it was (an attachment's findings are in its extracted text: "body").
    place = models.CharField(max_length=5, choices=Place.choices, default=Place.BODY)
    confidence = models.FloatField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    high_risk = models.BooleanField(default=False)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True, help_text="The author's reason when they confirmed it.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False) | Q(attachment__isnull=False), name="forum_guard_finding_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_outcome_display()})"


class Redaction(models.Model):
    """A span of a post a moderator redacted. The original text lives only here, seen only by
    moderators, until `purge_after`; the scheduled purge then blanks it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="redactions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    original_text = models.TextField(blank=True)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    purge_after = models.DateTimeField(db_index=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Redaction in post {self.post_id}"
