# The Notification model arrives with the live notifications issue.
