"""
Model instances from rows that written SQL read, for the few reads every request makes
(accounts.sessions, accounts.backends) and the rating writes (reviews.models.ratings,
reviews.views): what the ORM does to a row, without building the query each time.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections


def select_list(model, alias=None, fields=None):
    """
    The quoted columns of `model`'s concrete fields (or only of those named in `fields`,
    a tuple of attribute names), in their order, each prefixed with `alias` (the
    table's name in a join) when given.
    """
    return _select_list(model, connection.vendor, alias, fields)


@cache
def _select_list(model, vendor, alias, fields):
    prefix = f"{alias}." if alias else ""
    return ", ".join(
        prefix + connection.ops.quote_name(field.column) for field in _fields(model, fields)
    )


def _fields(model, names):
    """`model`'s concrete fields, in their order: all of them, or those `names` gives."""
    fields = model._meta.concrete_fields
    return fields if names is None else [field for field in fields if field.attname in names]


def instance_from_row(model, row, fields=None):
    """
    A `model` instance (as if loaded from the database) from `row`, the values of its
    concrete fields (or of `fields`, as select_list was given them) in select_list's
    order, each converted as the ORM converts it: the database's converters, then the
    field's (on SQLite, times come back as text). Fields not read are deferred, as
    with the ORM's only(): reading one loads it.
    """
    # The connection itself, looked up once: `connection` looks it up at each use.
    database = connections[DEFAULT_DB_ALIAS]
    names, converters = _shape(model, database.vendor, fields)
    values = list(row)
    for index, column, convert in converters:
        values[index] = convert(values[index], column, database)
    return model.from_db(database.alias, names, values)


@cache
def _shape(model, vendor, fields):
    """
    What reading `model`'s rows (or `fields` of them) needs, worked out once per
    process (and database kind): the field names, and the converters of each column
    that has any, in the order they run.
    """
    fields = _fields(model, fields)
    converters = [
        (index, field.cached_col, convert)
        for index, field in enumerate(fields)
        for convert in [
            *connection.ops.get_db_converters(field.cached_col),
            *field.cached_col.get_db_converters(connection),
        ]
    ]
    return [field.attname for field in fields], converters


def select_one(model, columns, values, fields=None):
    """
    The one `model` row whose `columns` equal `values` (a unique key), as an instance,
    or None: one written SELECT (of `fields` only, if given: see instance_from_row).
    """
    database = connections[DEFAULT_DB_ALIAS]
    quote = database.ops.quote_name
    where = " AND ".join(f"{quote(column)} = %s" for column in columns)
    with database.cursor() as cursor:
        # The names come from the model and the caller; every value is a parameter.
        cursor.execute(
            f"SELECT {select_list(model, fields=fields)} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"WHERE {where}",
            values,
        )
        row = cursor.fetchone()
    return instance_from_row(model, row, fields) if row else None


def plain_rows(queryset):
    """
    The rows `queryset` selects, as the database sends them: tuples in its select
    order (a values() query: its fields, then its annotations), without the ORM's
    converters. For the recount's counts and sums of whole numbers, which need none:
    over a hundred thousand rows the converters cost more than the query.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
