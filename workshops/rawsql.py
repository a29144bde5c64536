"""Hand-written SQL for the hottest path, a phone's tap: statements written once per database
and kept, rows turned into model instances with the field's own conversions.

Why: the ORM compiles every query anew, and on a tap that compilation cost more than the
query itself (about 40 % of the tap's CPU, three queries). These statements are plain SQL
that SQLite and PostgreSQL both run (joins, `IN`, `INSERT … ON CONFLICT … RETURNING`); the
columns, tables and conversions come from the models, so a new field needs nothing here.
Only a few statements live here, each beside the ORM query it replaces in a docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

Converter = Callable[[Any, Any, Any], Any]


class Columns:
    """The concrete columns of one model under a table alias, in field order, and how to make
    an instance from them (as the ORM would: `Model.from_db` after the fields' converters)."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        self._vendor_state: dict[str, tuple[str, list[tuple[int, Any, list[Converter]]]]] = {}

    def _state(self) -> tuple[str, list[tuple[int, Any, list[Converter]]]]:
        state = self._vendor_state.get(connection.vendor)
        if state is None:
            qn = connection.ops.quote_name
            sql = ", ".join(f"{self.alias}.{qn(f.column)}" for f in self.fields)
            converters = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if found:
                    converters.append((i, col, found))
            state = self._vendor_state[connection.vendor] = (sql, converters)
        return state

    def sql(self) -> str:
        """`alias."column", …` for a SELECT list."""
        return self._state()[0]

    def table(self) -> str:
        """`"table" alias` for a FROM or JOIN clause."""
        return f"{connection.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    def __len__(self) -> int:
        return len(self.fields)

    def instance(self, values: Sequence[Any]) -> models.Model | None:
        """The instance for these values (None when the primary key is NULL: an outer join
        that matched nothing)."""
        if values[self.pk_index] is None:
            return None
        values = list(values)
        for i, col, converters in self._state()[1]:
            for convert in converters:
                values[i] = convert(values[i], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def table(model: type[models.Model]) -> str:
    """The quoted table of a model."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """The quoted column of a model's field."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


_field_converters: dict[tuple[str, models.Field], tuple[Any, list[Converter]]] = {}


def convert(field: models.Field, value: Any) -> Any:
    """A value read from `field`'s column, as the ORM would return it."""
    key = (connection.vendor, field)
    found = _field_converters.get(key)
    if found is None:
        col = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        found = _field_converters[key] = (col, converters)
    col, converters = found
    for converter in converters:
        value = converter(value, col, connection)
    return value


def prepared(field: models.Field, value: Any) -> Any:
    """A value to write into `field`'s column, as the ORM would send it."""
    return field.get_db_prep_save(value, connection)
