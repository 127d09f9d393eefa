# Forum models (categories, topics, posts) arrive with the forum issue.
