"""
Index operations for migrations that run while the site serves (README, "Migrations
while the previous version still serves").

On PostgreSQL they build and drop indexes CONCURRENTLY, so ratings and comments keep
being written while a large index is built; a migration that uses them sets
`atomic = False`. Elsewhere (SQLite), or when run inside a transaction all the same,
they are Django's plain AddIndex and RemoveIndex.
"""

from django.db import migrations


def _options(schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return {"concurrently": True}
    return {}


class AddIndexConcurrently(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, **_options(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, **_options(schema_editor))


class RemoveIndexConcurrently(migrations.RemoveIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.remove_index(model, index, **_options(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.add_index(model, index, **_options(schema_editor))


def drop_plain_indexes(indexes):
    """
    A RunPython that drops `indexes` ([(table, index name, column)], one-column indexes
    Django made for foreign keys) and, undone, makes them again: for a migration that
    only sets db_index=False in the state, since AlterField would copy each table on
    SQLite and drop and re-check each foreign key on PostgreSQL. CONCURRENTLY on
    PostgreSQL outside a transaction (the migration sets `atomic = False`).
    """

    def concurrently(schema_editor):
        return "CONCURRENTLY " if _options(schema_editor) else ""

    def drop(apps, schema_editor):
        quote = schema_editor.quote_name
        for _, index, _ in indexes:
            schema_editor.execute(
                f"DROP INDEX {concurrently(schema_editor)}IF EXISTS {quote(index)}"
            )

    def create(apps, schema_editor):
        quote = schema_editor.quote_name
        for table, index, column in indexes:
            schema_editor.execute(
                f"CREATE INDEX {concurrently(schema_editor)}IF NOT EXISTS {quote(index)} "
                f"ON {quote(table)} ({quote(column)})"
            )

    return migrations.RunPython(drop, create)
