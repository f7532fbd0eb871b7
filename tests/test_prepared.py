"""Prepared queries (config.prepared) give what their querysets give, compiled only once."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as StockSessionStore
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import CaseInsensitiveModelBackend
from config.prepared import DATETIME, INTEGER, TEXT, PreparedQuery
from config.sessions import SessionStore
from quiz import attempts, loading
from quiz.grading import Answer
from quiz.models import AttemptItem, Choice, QuizSettings
from tests.factories import make_quiz, make_student

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    lesson, _ = make_quiz()
    QuizSettings.objects.create(lesson=lesson, shuffle_questions=False)  # 1 is multiple choice
    learner = make_student()
    attempt, _ = attempts.start_or_resume(learner, lesson)
    first = attempt.items.select_related("attempt", "question").get(position=1)
    attempts.record_answer(first, Answer(choice=first.question.choices.get(is_correct=True)))
    return attempt


def field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_item_query_gives_the_querysets_instances_with_their_related_rows(attempt):
    learner = attempt.learner
    for position in (1, 2, 5):
        expected = loading.item_page_queryset().get(
            attempt_id=attempt.pk, attempt__learner=learner, position=position
        )
        with CaptureQueriesContext(connection) as queries:
            [item] = loading._item(attempt=attempt.pk, learner=learner.pk, position=position)
            # The joined rows come attached: reading them asks nothing more.
            related = [
                item.attempt,
                item.attempt.lesson,
                item.attempt.lesson.course,
                item.attempt.lesson.quiz_settings,
                item.question,
            ]
        assert len(queries) == 1
        assert field_values(item) == field_values(expected)
        for got, want in zip(
            related,
            [
                expected.attempt,
                expected.attempt.lesson,
                expected.attempt.lesson.course,
                expected.attempt.lesson.quiz_settings,
                expected.question,
            ],
            strict=True,
        ):
            assert type(got) is type(want)
            assert field_values(got) == field_values(want)
    answered = loading._item(attempt=attempt.pk, learner=learner.pk, position=1)[0]
    assert answered.response.is_correct is True
    assert answered.response.choice.is_correct is True
    unanswered = loading._item(attempt=attempt.pk, learner=learner.pk, position=2)[0]
    with pytest.raises(AttemptItem.response.RelatedObjectDoesNotExist):
        unanswered.response  # noqa: B018


def test_another_learner_or_position_finds_nothing(attempt):
    other = make_student("other")
    assert loading._item(attempt=attempt.pk, learner=other.pk, position=1) == []
    assert loading._item(attempt=attempt.pk, learner=attempt.learner.pk, position=99) == []


def test_item_and_following_match_the_queryset_for_every_position(attempt):
    learner = attempt.learner
    for position in range(1, 7):
        expected = list(
            loading.item_page_queryset()
            .filter(attempt_id=attempt.pk, attempt__learner=learner)
            .filter(Q(position=position) | Q(position__gt=position, response__isnull=True))
            .order_by("position")[:2]
        )
        got = loading._item_and_following(attempt=attempt.pk, learner=learner.pk, position=position)
        assert [field_values(i) for i in got] == [field_values(i) for i in expected]


def test_options_are_attached_as_prefetch_would_and_filters_still_query(attempt):
    items = list(attempt.items.select_related("question").order_by("position"))
    blank = next(i.question for i in items if i.question.type == "fill_blank")
    choice_questions = [i.question for i in items if i.question.type != "fill_blank"][:2]
    loading.load_options([*choice_questions, blank])
    with CaptureQueriesContext(connection) as queries:
        for question in choice_questions:
            assert list(question.choices.all()) == list(Choice.objects.filter(question=question))
        assert [a.text for a in blank.accepted_answers.all()] == ["waggle dance"]
    assert len(queries) == 2  # the two comparison querysets only
    right = choice_questions[0].choices.filter(is_correct=True)
    assert [c.question_id for c in right] == [choice_questions[0].pk]


def test_map_rows(attempt):
    expected = [
        (row["position"], row["response__id"] is not None, row["response__is_correct"])
        for row in attempt.items.order_by("position").values(
            "position", "response__id", "response__is_correct"
        )
    ]
    assert loading.items_for_map(attempt) == expected
    assert expected[0] == (1, True, True) and expected[1] == (2, False, None)


def test_compiled_once_per_thread():
    prepared = PreparedQuery(lambda pk: Choice.objects.filter(pk=pk), pk=INTEGER)
    prepared(pk=1)
    plan = prepared._plan("default")
    prepared(pk=2)
    assert prepared._plan("default") is plan


def test_a_queryset_whose_sql_depends_on_the_values_is_refused():
    sliced = PreparedQuery(lambda n: Choice.objects.all()[:n], n=INTEGER)
    with pytest.raises(ImproperlyConfigured):
        sliced(n=3)
    unused = PreparedQuery(
        lambda pk, other: Choice.objects.filter(pk=pk), pk=INTEGER, other=INTEGER
    )
    with pytest.raises(ImproperlyConfigured):
        unused(pk=1, other=2)


def test_text_and_datetime_parameters():
    from django.contrib.sessions.models import Session

    prepared = PreparedQuery(
        lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
        key=TEXT,
        now=DATETIME,
    )
    store = StockSessionStore()
    store["x"] = 1
    store.save()
    now = timezone.now()
    [row] = prepared(key=store.session_key, now=now)
    assert row.session_key == store.session_key
    assert prepared(key=store.session_key, now=now + timedelta(weeks=4)) == []
    assert prepared(key="no-such-key", now=now) == []


def test_session_store_reads_what_the_stock_one_wrote_and_forgets_expired_ones():
    stock = StockSessionStore()
    stock["learner"] = "maria"
    stock.save()
    assert SessionStore(stock.session_key).load() == {"learner": "maria"}
    stock.set_expiry(-10)
    stock.save()
    expired = SessionStore(stock.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # a fresh key next time, as the stock store does


def test_backend_get_user():
    backend = CaseInsensitiveModelBackend()
    user = make_student("maria")
    assert backend.get_user(str(user.pk)) == user
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user("not-a-number") is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None


def test_on_postgresql_the_statement_is_prepared_once_on_the_server(attempt):
    if connection.vendor != "postgresql":
        # SQLite has no server: the same call runs the compiled SQL (the tests above).
        assert loading._item(attempt=attempt.pk, learner=attempt.learner.pk, position=1)
        return
    learner = attempt.learner
    expected = [
        field_values(i)
        for i in loading.item_page_queryset().filter(
            attempt_id=attempt.pk, attempt__learner=learner
        )
    ]
    for _ in range(3):  # not logging queries here: the server-bound, prepared path
        got = [
            field_values(item)
            for position in range(1, 6)
            for item in loading._item(attempt=attempt.pk, learner=learner.pk, position=position)
        ]
        assert got == expected
    prepared = prepared_on_server()
    assert sum('FROM "quiz_attemptitem"' in statement for statement in prepared) == 1


def prepared_on_server() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_on_postgresql_the_answer_statement_is_prepared_and_keeps_its_rules(attempt):
    item = attempt.items.select_related("attempt", "question").get(position=2)
    choice = item.question.choices.get(is_correct=True)
    recorded = attempts.record_answer(item, Answer(choice=choice))  # not logging queries
    assert recorded.created and recorded.response.pk
    if connection.vendor == "postgresql":
        assert any(s.startswith("WITH opened AS") for s in prepared_on_server())
    # A second answer is refused by the database (psycopg then forgets what it prepared, as
    # after any rollback, and prepares again when next needed).
    again = attempts.record_answer(item, Answer(choice=choice))
    assert not again.created and again.response.pk == recorded.response.pk
    attempt.refresh_from_db()
    assert (attempt.answered_count, attempt.correct_count) == (2, 2)
    third = attempt.items.select_related("attempt", "question").get(position=3)
    assert attempts.record_answer(third, Answer(choice=third.question.choices.first())).created
