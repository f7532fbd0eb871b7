"""Each attempt's answers as short lines of text, kept on the attempt when it finishes.

The class report counts answers by question, choice, right or wrong and the attempt's score.
Joining attempts, items and answers for 10,000 learners (120,000 answers) and building their
lines costs the database most of the report's time; a finished attempt's answers no longer
change except by a re-grade, so `Attempt.answer_lines` keeps them, written by the same UPDATE
that closes the attempt (`quiz.attempts.finish`) and rewritten by `quiz.regrade`. NULL means
"not kept" (an open attempt, or rows written outside the quiz code): the report then builds
that attempt's lines in the query, exactly as before.

A line is ``question,choice,right,[text, order]``: the last part JSON, which escapes line
breaks, so a line never contains one.
"""

from __future__ import annotations

import json

from django.db.models import Aggregate, F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from .models import Response


class AnswerToken(Func):
    """One answer as a line (see the module's docstring)."""

    output_field = TextField()

    def __init__(self, question, choice, text, order, right):
        super().__init__(question, choice, right, text, order)

    def as_sql(self, compiler, connection, **extra):
        params: list = []
        compiled = [compiler.compile(expression) for expression in self.source_expressions]
        question, choice, right, text, order = (sql for sql, _ in compiled)
        for _, p in compiled:
            params += p
        if connection.vendor == "postgresql":
            sql = (
                f"concat_ws(',', {question}, coalesce({choice}::text, ''), "
                f"CASE WHEN {right} THEN 1 ELSE 0 END, json_build_array({text}, {order})::text)"
            )
        else:  # a plain CASE here costs SQLite more than the JSON of every answer
            sql = (
                f"({question} || ',' || ifnull({choice}, '') || ',' || {right} || ',' || "
                f"json_array({text}, {order}))"
            )
        return sql, params


class Lines(Aggregate):
    """Strings joined by line breaks (GROUP_CONCAT / STRING_AGG)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"STRING_AGG({sql}, E'\\n')", params
        return f"GROUP_CONCAT({sql}, char(10))", params


def token(item: str = "item__", response: str = "") -> AnswerToken:
    """The line of an answer, reached from the query's model through `item` (to the item)
    and `response` (to the answer): from Response the defaults, from Attempt
    ``token("items__", "items__response__")``."""
    return AnswerToken(
        F(f"{item}question_id"),
        F(f"{response}choice_id"),
        F(f"{response}text"),
        F(f"{response}order"),
        F(f"{response}is_correct"),
    )


def of_attempt(responses=Response) -> Coalesce:
    """The lines of the attempt being updated (``OuterRef("pk")``): for
    ``Attempt.objects.filter(…).update(answer_lines=of_attempt())``, one statement. An attempt
    without answers keeps "" (kept, and empty), not NULL. (`responses`: the Response model,
    a migration's historical one.)"""
    # From the attempt's items (its index) to each one's answer (the item's unique index).
    items = responses._meta.get_field("item").related_model
    lines = (
        items.objects.filter(attempt=OuterRef("pk"), response__isnull=False)
        .order_by()
        .values("attempt")
        .annotate(lines=Lines(token("", "response__")))
        .values("lines")
    )
    return Coalesce(Subquery(lines), Value(""), output_field=TextField())


def parse(line: str) -> tuple:
    """(question id, choice id, typed text, order, right) of a line."""
    question, choice, right, rest = line.split(",", 3)
    text, order = json.loads(rest)
    if isinstance(order, str):  # SQLite keeps a JSONField as its JSON text
        order = json.loads(order)
    return int(question), int(choice) if choice else None, text, order, right == "1"
