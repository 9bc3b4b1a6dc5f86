"""
Django's SQLite backend, turning each statement's placeholders into SQLite's once.

Django writes parameters as %s and SQLite takes ?, so Django's backend rewrites every
statement it sends, with a regular expression over the whole text. The statements a
site sends are a few hundred texts sent again and again with new parameters (the
session and its member, the rating's upsert with its RETURNING list), so the rewritten
text is kept per text: a rating POST spent about 2% of its time rewriting them.
"""

from functools import lru_cache

from django.db.backends.sqlite3 import base


@lru_cache(maxsize=2048)
def qmark_style(query):
    """`query` with Django's %s placeholders as SQLite's ?, and %% as %."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return qmark_style(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
