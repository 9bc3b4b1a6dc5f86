"""
Model instances from rows that written SQL read, for the few reads every request makes
(accounts.backends) and the rating upsert (reviews.models.members): what the ORM does
to a row, without building the query each time.
"""

from django.db import connection


def select_list(model):
    """The quoted columns of `model`'s concrete fields, in their order."""
    return ", ".join(
        connection.ops.quote_name(field.column) for field in model._meta.concrete_fields
    )


def instance_from_row(model, row):
    """
    A `model` instance (as if loaded from the database) from `row`, the values of its
    concrete fields in select_list's order, each converted as the ORM converts it: the
    database's converters, then the field's (on SQLite, times come back as text).
    """
    fields = model._meta.concrete_fields
    values = []
    for field, value in zip(fields, row, strict=True):
        column = field.cached_col
        for convert in [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]:
            value = convert(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def select_one(model, columns, values):
    """
    The one `model` row whose `columns` equal `values` (a unique key), as an instance,
    or None: one written SELECT.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    where = " AND ".join(f"{connection.ops.quote_name(column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        # The names come from the model and the caller; every value is a parameter.
        cursor.execute(f"SELECT {select_list(model)} FROM {table} WHERE {where}", values)  # noqa: S608
        row = cursor.fetchone()
    return instance_from_row(model, row) if row else None
