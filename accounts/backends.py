"""
How a signed-in member is read on every request.

MemberBackend is Django's ModelBackend with `get_user`, which runs on every signed-in
request, reading the member with one written SELECT: building the same primary-key
query through the ORM each time costs about twice the round trip. Signing in is
ModelBackend's own.

ModelBackend stays listed after it (settings.AUTHENTICATION_BACKENDS) only so that
sessions signed in before MemberBackend existed, which name ModelBackend, keep their
member. It never checks a password: when MemberBackend refuses one, it stops the search
(PermissionDenied), so a wrong password is hashed once, as before.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import connection


class MemberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        model = get_user_model()
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            # The names come from the model; the id is a parameter.
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {pk} = %s", [user_id])  # noqa: S608
            row = cursor.fetchone()
        if row is None:
            return None
        values = []
        for field, value in zip(fields, row, strict=True):
            # As the ORM reads a column: the database's converters, then the field's.
            column = field.cached_col
            for convert in [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]:
                value = convert(value, column, connection)
            values.append(value)
        user = model.from_db(connection.alias, [field.attname for field in fields], values)
        return user if self.user_can_authenticate(user) else None
