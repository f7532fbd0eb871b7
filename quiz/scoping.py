"""Which learners a user may see in the teachers' pages (admin lists, reports, re-grading).

The quiz knows nothing of classes: another app (``classrooms``) registers a function, in its
``AppConfig.ready()``, that tells which learners a user may see::

    from quiz import scoping

    scoping.register(learners_taught_by)  # func(user) -> QuerySet of user ids/users, or None

A registered function returns ``None`` for "no restriction", or a queryset of ``auth.User``
ids (``.values("pk")``, ``.values_list("pk", flat=True)``) or of users; a plain list of ids
or users works too. With several functions a learner must be visible under each of them.
Superusers always see everyone, and with nothing registered everyone sees everyone.

Nothing here runs a query of its own: `visible_learners` gives a lazy queryset, used as a
subquery (``learner__in=…``) by `scope` and `restrict`, so scoped pages keep their query count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

_registry: list[Callable] = []


def register(func: Callable) -> Callable:
    """Add a visibility function (once); returns it, so it also works as a decorator."""
    if func not in _registry:
        _registry.append(func)
    return func


def unregister(func: Callable) -> None:
    if func in _registry:
        _registry.remove(func)


@contextmanager
def override(*funcs: Callable) -> Iterator[None]:
    """Exactly `funcs` registered for the duration (tests); none given: no restriction."""
    saved = list(_registry)
    _registry[:] = funcs
    try:
        yield
    finally:
        _registry[:] = saved


def _as_ids(visible) -> QuerySet:
    """A lazy queryset of user ids from what a registered function returned."""
    if isinstance(visible, QuerySet):
        if visible._fields is None and issubclass(visible.model, get_user_model()):
            return visible.values("pk")  # users: their ids
        return visible  # already ids (values / values_list of one field)
    ids = [getattr(item, "pk", item) for item in visible]
    return get_user_model().objects.filter(pk__in=ids).values("pk")


def visible_learners(user) -> QuerySet | None:
    """None: `user` may see every learner; otherwise a (lazy) queryset of visible user ids."""
    if user is not None and getattr(user, "is_superuser", False):
        return None
    if not _registry:
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return get_user_model().objects.none().values("pk")
    restrictions = [_as_ids(v) for v in (func(user) for func in _registry) if v is not None]
    if not restrictions:
        return None
    if len(restrictions) == 1:
        return restrictions[0]
    combined = get_user_model().objects.all()
    for ids in restrictions:
        combined = combined.filter(pk__in=ids)
    return combined.values("pk")


def restrict(queryset: QuerySet, learners: QuerySet | Iterable | None, learner_field: str):
    """`queryset` limited to rows whose `learner_field` is in `learners` (None: unchanged)."""
    if learners is None:
        return queryset
    return queryset.filter(**{f"{learner_field}__in": learners})


def scope(queryset: QuerySet, user, learner_field: str) -> QuerySet:
    """`queryset` limited to the rows of learners `user` may see (by `learner_field`)."""
    return restrict(queryset, visible_learners(user), learner_field)
