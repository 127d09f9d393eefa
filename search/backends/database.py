from django.db import connection

from search.backends.base import SearchBackend


class DatabaseBackend(SearchBackend):
    """Full-text search in the project's own database: PostgreSQL full-text search on
    PostgreSQL, SQLite FTS5 on SQLite. It is healthy whenever the database is."""

    name = "database"

    def health(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return f"searching in {connection.vendor}"
