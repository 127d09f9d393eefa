from django.urls import path

from forum import feeds
from forum.views import answers, attachments, guard, listing, moderation, topics

app_name = "forum"

urlpatterns = [
    # Listings (forum/views/listing.py)
    path("", listing.index, name="index"),
    path("c/<slug:slug>/", listing.category, name="category"),
    path("tags/<slug:slug>/", listing.tag, name="tag"),
    path("jurisdictions/<str:code>/", listing.jurisdiction, name="jurisdiction"),
    path("bookmarks/", listing.bookmarks, name="bookmarks"),
    # Topics and posts (forum/views/topics.py)
    path("c/<slug:slug>/new/", topics.new_topic, name="new_topic"),
    path("t/<int:pk>/", topics.topic, name="topic"),
    path("t/<int:pk>/reply/", topics.reply, name="reply"),
    path("t/<int:pk>/posts/", topics.new_posts, name="new_posts"),
    path("p/<int:pk>/edit/", topics.edit_post, name="edit_post"),
    path("p/<int:pk>/history/", topics.post_history, name="post_history"),
    # Answers, votes, follows, bookmarks, mentions (forum/views/answers.py)
    path("p/<int:pk>/accept/", answers.accept_answer, name="accept_answer"),
    path("p/<int:pk>/helpful/", answers.vote_helpful, name="vote_helpful"),
    path("follow/<str:kind>/<str:key>/", answers.toggle_follow, name="toggle_follow"),
    path("t/<int:pk>/bookmark/", answers.toggle_bookmark, name="toggle_bookmark"),
    path("mentions/suggest/", answers.mention_suggestions, name="mention_suggestions"),
    # Moderation (forum/views/moderation.py)
    path("p/<int:pk>/flag/", moderation.flag_post, name="flag_post"),
    path("moderation/", moderation.queue, name="moderation_queue"),
    path("moderation/log/", moderation.audit_log, name="moderation_log"),
    path("p/<int:pk>/moderate/", moderation.moderate_post, name="moderate_post"),
    path("p/<int:pk>/redact/", moderation.redact_post, name="redact_post"),
    path("t/<int:pk>/moderate/", moderation.moderate_topic, name="moderate_topic"),
    path("users/<int:user_id>/suspend/", moderation.suspend_user, name="suspend_user"),
    # The confidential case-data guard for association admins (forum/views/guard.py)
    path("guard/<slug:slug>/", guard.guard_settings, name="guard_settings"),
    path("guard/report/<slug:slug>/", guard.guard_report, name="guard_report"),
    # Attachments (forum/views/attachments.py)
    path("attachments/<int:pk>/", attachments.download, name="attachment"),
    path("attachments/<int:pk>/review/", moderation.review_attachment, name="review_attachment"),
    path("t/<int:pk>/document/", attachments.procedure_version, name="procedure_version"),
    # Feeds (forum/feeds.py)
    path("feeds/<str:kind>/<str:key>/<str:feed_format>/", feeds.public_feed, name="feed"),
    path("feeds/private/<str:token>/<str:kind>/<str:key>/<str:feed_format>/", feeds.private_feed, name="private_feed"),
    path("feeds/token/reset/", feeds.reset_token, name="reset_feed_token"),
]
