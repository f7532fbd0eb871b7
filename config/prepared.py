"""Querysets compiled to SQL once, then run again with other values.

On the pages every learner loads, building and compiling the ORM queries took more CPU than
the database took to run them (a wide select_related()/only() join is about a millisecond to
compile, every request, for SQL that never changes but for a few ids). A PreparedQuery
compiles its queryset once per thread and database, with a placeholder value for each
parameter, remembers where those values sit among the SQL parameters, and on each call runs
the same SQL with the real values, turning the rows into what the queryset would have given:
the same model instances (select_related ones attached, through Django's own populators and
the database's converters), or tuples for a values_list().

On PostgreSQL the statement is also prepared on the server, once per connection (psycopg
keeps track): planning the question page's seven-table join took PostgreSQL 2–3 ms of CPU
on every request, ten times what running it took. Django's own queries stay client-side
bound; only these fixed statements go through a server-binding cursor, and only while the
connection allows prepared statements (`prepare_threshold`, set in config.settings, off for
a transaction-pooling PgBouncer).

Only for querysets whose SQL does not depend on the values (no `__in` of varying length, no
empty-result shortcuts): compile() checks that every placeholder was found exactly where a
value of that name goes, and the tests compare the results with the plain queryset's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import DateTimeField, QuerySet
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class Param:
    """A parameter's kind; `field` adapts its value as the ORM would (None: passed as is)."""

    kind: str
    field: Any = None

    def placeholder(self, n: int):
        if self.kind == "datetime":
            return datetime(1901, 2, 3, 4, 5, 6, n, tzinfo=UTC)
        if self.kind == "text":
            return f"prepared-placeholder-{n}"
        return n


INTEGER = Param("integer")
TEXT = Param("text")
DATETIME = Param("datetime", DateTimeField())


@dataclass
class _Plan:
    connection: Any
    sql: str
    params: tuple
    slots: tuple[tuple[int, str, type], ...]
    compiler: Any
    converters: dict
    col_count: int
    truncate: bool
    model: Any = None
    init_list: tuple = ()
    fields_slice: slice | None = None
    populators: tuple = ()
    annotations: tuple = ()


def cursor_for(connection):
    """A cursor through Django's wrapper (error translation, execute wrappers); on
    PostgreSQL with prepared statements allowed, a server-binding one. Not while queries are
    logged (DEBUG, tests counting them): a server-bound statement leaves no SQL text for the
    log, so there it goes client-side bound like any other."""
    if connection.vendor == "postgresql" and not connection.queries_logged:
        connection.ensure_connection()
        if getattr(connection.connection, "prepare_threshold", None) is not None:
            from django.db.backends.postgresql.base import ServerBindingCursor

            return connection._prepare_cursor(ServerBindingCursor(connection.connection))
    return connection.cursor()


class PreparedQuery:
    """`PreparedQuery(build, position=INTEGER, …)`: `build(**placeholders)` returns the
    queryset; calling the prepared query with the real values returns its rows as a list."""

    def __init__(self, build: Callable[..., QuerySet], *, flat_tuples: bool = False, **params):
        self.build = build
        self.params = params
        self.flat_tuples = flat_tuples  # a values_list(): rows as tuples, no instances
        self._local = threading.local()

    def _placeholders(self, base: int) -> dict[str, Any]:
        # Distinct values, each found at its own places among the SQL parameters. Small and
        # positive: Django drops a lookup whose value is outside the field's range.
        return {
            name: param.placeholder(base + k)
            for k, (name, param) in enumerate(self.params.items(), start=1)
        }

    def _adapt(self, connection, name: str, value):
        field = self.params[name].field
        return value if field is None else field.get_db_prep_value(value, connection)

    def _compiled(self, alias: str, base: int):
        connection = connections[alias]
        placeholders = self._placeholders(base)
        compiler = self.build(**placeholders).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapted = {name: self._adapt(connection, name, v) for name, v in placeholders.items()}
        # A slot: where a value goes, and the type the backend wrapped it in there (psycopg's
        # Int4 for a small integer column on PostgreSQL, say), applied again to real values.
        slots = tuple(
            (index, name, type(value))
            for index, value in enumerate(params)
            for name, placeholder in adapted.items()
            if isinstance(value, type(placeholder)) and value == placeholder
        )
        return compiler, sql, tuple(params), slots

    def compile(self, alias: str = "default") -> _Plan:
        compiler, sql, params, slots = self._compiled(alias, 30_000)
        # Twice, with other placeholders: the same SQL with the values at the same places
        # (and every other parameter the same) proves that only the values vary.
        _, sql_again, params_again, slots_again = self._compiled(alias, 30_100)
        varying = {index for index, _, _ in slots}
        constant = [p for i, p in enumerate(params) if i not in varying]
        constant_again = [p for i, p in enumerate(params_again) if i not in varying]
        if (
            sql != sql_again
            or slots != slots_again
            or constant != constant_again
            or {name for _, name, _ in slots} != set(self.params)
        ):
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: its SQL depends on the values or a value is not "
                "among the SQL parameters; this queryset cannot be prepared"
            )
        connection = connections[alias]
        col_count = compiler.col_count
        fields = [s[0] for s in compiler.select[:col_count]]
        plan = _Plan(
            connection=connection,
            sql=sql,
            params=params,
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters(fields),
            col_count=col_count,
            truncate=compiler.has_extra_select,
        )
        if not self.flat_tuples:
            klass_info, select = compiler.klass_info, compiler.select
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            plan.model = klass_info["model"]
            plan.init_list = tuple(f[0].target.attname for f in select[start:end])
            plan.fields_slice = slice(start, end)
            plan.populators = tuple(get_related_populators(klass_info, select, alias))
            plan.annotations = tuple(compiler.annotation_col_map.items())
        return plan

    def _plan(self, alias: str) -> _Plan:
        plans = getattr(self._local, "plans", None)
        if plans is None:
            plans = self._local.plans = {}
        plan = plans.get(alias)
        # Connections are per thread; a test that swaps them gets a fresh compile.
        if plan is None or plan.connection is not connections[alias]:
            plan = plans[alias] = self.compile(alias)
        return plan

    def __call__(self, alias: str = "default", **values) -> list:
        plan = self._plan(alias)
        params = list(plan.params)
        for index, name, wrap in plan.slots:
            value = self._adapt(plan.connection, name, values[name])
            params[index] = value if type(value) is wrap else wrap(value)
        with cursor_for(plan.connection) as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.truncate:
            rows = [row[: plan.col_count] for row in rows]
        if plan.converters:
            rows = list(plan.compiler.apply_converters(rows, plan.converters))
        if self.flat_tuples:
            return [tuple(row) for row in rows]
        objects = []
        for row in rows:
            obj = plan.model.from_db(alias, list(plan.init_list), row[plan.fields_slice])
            for populator in plan.populators:
                populator.populate(row, obj)
            for attr, position in plan.annotations:
                setattr(obj, attr, row[position])
            objects.append(obj)
        return objects
