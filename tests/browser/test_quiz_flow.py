"""Taking a quiz end to end in Chromium: mouse, keyboard only, no JavaScript, failures, two tabs.

Right answers are always read from the database (the attempt's stored choice order says where
each choice is shown), so the tests know what they answered and what the score must be.
"""

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from quiz.generation import generate_for_lesson
from quiz.models import (
    MASTERY_PERCENT,
    AcceptedAnswer,
    Attempt,
    AttemptItem,
    Choice,
    LessonProgress,
    Question,
    QuestionType,
    QuizSettings,
    Response,
)
from tests import factories
from tests.browser.conftest import SIZES

PASSWORD = "a-long-pass-phrase"
QUESTION_URL = re.compile(r"/attempts/(\d+)/(\d+)/$")

# ---------------------------------------------------------------------------------------------
# Data


def add_question(lesson, type_, prompt, paragraph, quote, position, explanation=""):
    """A published question whose evidence span really is `quote` in paragraph `paragraph`."""
    text = lesson.paragraphs.get(position=paragraph).text
    start = text.index(quote)
    return Question.objects.create(
        lesson=lesson,
        type=type_,
        prompt=prompt,
        explanation=explanation,
        evidence_paragraph=paragraph,
        evidence_start=start,
        evidence_end=start + len(quote),
        evidence_quote=quote,
        status="published",
        position=position,
    )


def add_choices(question, *texts, correct=None):
    for place, text in enumerate(texts, start=1):
        Choice.objects.create(
            question=question, text=text, is_correct=text == correct, position=place
        )


def add_sequence_question(lesson, position):
    """Sequence on the honeybee article (paragraph 2); choices' positions are the right order."""
    question = add_question(
        lesson,
        QuestionType.SEQUENCE,
        "Put the forager's movements in the order the article gives them.",
        2,
        "A forager returning to the hive runs in a straight line while shaking her body, "
        "then loops back and repeats the run.",
        position,
        explanation="She runs, loops back, then repeats the run.",
    )
    add_choices(
        question,
        "She runs in a straight line, shaking her body",
        "She loops back",
        "She repeats the run",
    )
    return question


def add_article_order_question(lesson, position):
    """Sequence on any article: put the openings of paragraphs 2, 4 and 6 in article order."""
    openings = [lesson.paragraphs.get(position=p).text[:70].rstrip() + "…" for p in (2, 4, 6)]
    first = lesson.paragraphs.get(position=2).text
    quote = first[: first.index(".") + 1]
    question = add_question(
        lesson,
        QuestionType.SEQUENCE,
        "Put these points in the order the article makes them.",
        2,
        quote,
        position,
        explanation="Paragraph 2 comes before paragraph 4, which comes before paragraph 6.",
    )
    add_choices(question, *openings)
    return question


def add_teacher_questions(lesson, position):
    """A teacher's fill-in and true/false on any article (the generator writes neither)."""
    text = lesson.paragraphs.get(position=1).text
    quote = text[: text.index(".") + 1]
    word = max(re.findall(r"[A-Za-z]{5,}", quote), key=len)
    blank = add_question(
        lesson,
        QuestionType.FILL_BLANK,
        quote.replace(word, "_____", 1),
        1,
        quote,
        position,
        explanation=f"The missing word is {word}.",
    )
    AcceptedAnswer.objects.create(question=blank, text=word)
    statement = add_question(
        lesson, QuestionType.TRUE_FALSE, "The article has more than one paragraph.", 1, quote,
        position + 1, explanation="It has several.",
    )  # fmt: skip
    add_choices(statement, "True", "False", correct="True")


def make_handmade_lesson(*, shuffle_questions=True):
    """The honeybee article with four questions: one of each input kind (radio, text, select)."""
    lesson = factories.make_lesson()
    mc = add_question(
        lesson,
        QuestionType.MULTIPLE_CHOICE,
        "How do honeybees tell each other where food is?",
        1,
        "Honeybees communicate the location of food through a movement called the waggle dance.",
        1,
        explanation="The article names the waggle dance in its first sentence.",
    )
    add_choices(
        mc,
        "Through the waggle dance",
        "Through a scent trail",
        "Through a humming sound",
        "Through the colour of pollen",
        correct="Through the waggle dance",
    )
    tf = add_question(
        lesson,
        QuestionType.TRUE_FALSE,
        "The duration of the waggle tells other bees how far to fly.",
        3,
        "The duration of the waggle tells other bees how far to fly.",
        2,
        explanation="Paragraph 3 says so in its first sentence.",
    )
    add_choices(tf, "True", "False", correct="True")
    blank = add_question(
        lesson,
        QuestionType.FILL_BLANK,
        "In 1973 Karl von _____ shared the Nobel Prize for decoding this language.",
        3,
        "In 1973 Karl von Frisch shared the Nobel Prize for decoding this language.",
        3,
        explanation="The scientist was Karl von Frisch.",
    )
    AcceptedAnswer.objects.create(question=blank, text="Frisch")
    add_sequence_question(lesson, 4)
    QuizSettings.objects.update_or_create(
        lesson=lesson, defaults={"shuffle_questions": shuffle_questions}
    )
    return lesson


# ---------------------------------------------------------------------------------------------
# What to answer


@dataclass
class Plan:
    """One answer: how to give it on the page and what the feedback must then say."""

    kind: str  # "choice", "text" or "sequence"
    correct: bool
    given: str  # as the feedback's "Your answer" shows it
    key: str  # as "Right answer" shows it
    choice_text: str = ""
    choice_index: int = 0  # 1-based display position of the radio
    text: str = ""
    places: tuple[int, ...] = ()  # place typed for each shown item, in display order


def item_at(attempt_id: int, n: int) -> AttemptItem:
    return AttemptItem.objects.select_related("question").get(attempt_id=attempt_id, position=n)


def plan_answer(item: AttemptItem, *, correct: bool = True) -> Plan:
    question = item.question
    by_id = {c.pk: c for c in question.choices.all()}
    shown = [by_id[pk] for pk in item.choice_order if pk in by_id]
    if question.type == QuestionType.FILL_BLANK:
        key = question.accepted_answers.order_by("pk").first().text
        text = key if correct else "photosynthesis"
        return Plan("text", correct, given=text, key=key, text=text)
    if question.type == QuestionType.SEQUENCE:
        right = sorted(shown, key=lambda c: (c.position, c.pk))
        order = list(right)
        if not correct:
            order[0], order[1] = order[1], order[0]
        place = {c.pk: n for n, c in enumerate(order, start=1)}
        return Plan(
            "sequence",
            correct,
            given=" → ".join(c.text for c in order),
            key=" → ".join(c.text for c in right),
            places=tuple(place[c.pk] for c in shown),
        )
    key = next(c for c in shown if c.is_correct)
    chosen = key if correct else next(c for c in shown if not c.is_correct)
    return Plan(
        "choice",
        correct,
        given=chosen.text,
        key=key.text,
        choice_text=chosen.text,
        choice_index=shown.index(chosen) + 1,
    )


def fill_with_mouse(page, plan: Plan, prefix: str = "") -> None:
    """Fill the card's form (`prefix` "retry-": the second-try form under a wrong answer)."""
    card = page.locator("#question-card")
    if plan.kind == "choice":
        label = card.locator("label.choice").filter(
            has=page.get_by_text(plan.choice_text, exact=True)
        )
        label.click()
        expect(label.locator("input[type=radio]")).to_be_checked()
    elif plan.kind == "text":
        card.get_by_label("Type the missing word or words").fill(plan.text)
    else:
        for n, place in enumerate(plan.places, start=1):
            card.locator(f"select[name={prefix}place_{n}]").select_option(str(place))


def answer_with_mouse(page, plan: Plan) -> None:
    fill_with_mouse(page, plan)
    page.locator("#question-card").get_by_role("button", name="Check answer").click()


def expect_feedback(page, plan: Plan, *, key_shown: bool = False) -> None:
    """Right or wrong and the learner's answer; the key only where the review options allow
    it (by default not while the learner can still try again)."""
    feedback = page.locator("#question-card .feedback")
    heading = feedback.locator("h2[data-autofocus]")
    expect(heading).to_have_text("✓ Correct" if plan.correct else "✗ Not quite")
    answers = feedback.locator("dl.feedback__answers")
    expect(answers).to_contain_text("Your answer" + plan.given)
    if plan.correct or not key_shown:
        expect(answers).not_to_contain_text("Right answer")
        if not plan.correct:
            expect(page.locator("#question-card")).not_to_contain_text(plan.key)
    else:
        expect(answers).to_contain_text("Right answer" + plan.key)


# ---------------------------------------------------------------------------------------------
# Pages


def log_in(page, base: str, username: str, next_path: str = "") -> None:
    page.goto(base + "/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile(r"^Log out"))).to_be_attached()


def admin_log_in(page, base: str, username: str) -> None:
    """Through the admin's log-in page, waiting for its index so that the next page.goto
    cannot cut the log-in short."""
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Courses, lessons and quizzes")).to_be_visible()


def start_quiz(page, base: str, lesson) -> int:
    """From the lesson page's quiz panel; returns the attempt id (at question 1)."""
    page.goto(base + lesson.get_absolute_url())
    page.locator("#quiz").get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(QUESTION_URL)
    return int(QUESTION_URL.search(page.url)[1])


def question_heading(page, n: int, total: int):
    return expect(page.locator("h1.quiz__title")).to_have_text(f"Question {n} of {total}")


def serious_axe_violations(page) -> list[str]:
    result = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        + ")"
        for v in result.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def duplicated_page_chrome(page) -> list[str]:
    """An htmx swap that inserts a whole page leaves a second header, <main> or live region."""
    counts = page.evaluate(
        """() => ({
            'header.site-header': document.querySelectorAll('header.site-header').length,
            'main': document.querySelectorAll('main').length,
            '#live-region': document.querySelectorAll('#live-region').length,
            'footer': document.querySelectorAll('footer').length,
        })"""
    )
    return [f"{selector} ×{count}" for selector, count in counts.items() if count != 1]


def expected_score(correct: int, total: int) -> int:
    return round(100 * correct / total)


# ---------------------------------------------------------------------------------------------
# 1. Mouse, JavaScript on, a brand-new student


def test_new_student_signs_up_and_takes_the_whole_quiz_with_the_mouse(
    live_server, sample_lesson, page
):
    generate_for_lesson(sample_lesson, publish=True)
    # The generator writes choice questions only: add a teacher's order, fill-in and
    # true/false questions so every input is used.
    add_article_order_question(sample_lesson, position=99)
    add_teacher_questions(sample_lesson, position=100)
    total = sample_lesson.questions.published().count()
    assert total >= 6
    types = set(sample_lesson.questions.published().values_list("type", flat=True))
    assert {QuestionType.FILL_BLANK, QuestionType.SEQUENCE, QuestionType.TRUE_FALSE} <= types

    base = live_server.url
    lesson_url = base + sample_lesson.get_absolute_url()
    start_path = reverse("quiz:start", args=[sample_lesson.course.slug, sample_lesson.slug])
    problems = []  # app defects found on the way; asserted at the end so the flow runs on

    # Anonymous: "Start the quiz" → log-in page → sign-up, which keeps ?next=.
    page.goto(lesson_url)
    page.locator("#quiz").get_by_role("link", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(re.escape(f"/accounts/login/?next={start_path}") + "$"))
    page.get_by_role("link", name="Create a student account").click()
    expect(page).to_have_url(re.compile(re.escape(f"/accounts/signup/?next={start_path}")))
    page.get_by_label("First name").fill("New")
    page.get_by_label("Last name").fill("Reader")
    page.get_by_label("Username").fill("new-reader")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(base + start_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quiz: {sample_lesson.title}")
    learner = User.objects.get(username="new-reader")

    # Read the article first, then come back and start.
    page.get_by_role("link", name="Read the article first").click()
    expect(page).to_have_url(lesson_url)
    expect(page.locator("#quiz .badge")).to_have_text("○ Reading")
    assert LessonProgress.objects.get(learner=learner, lesson=sample_lesson).status == "reading"
    page.go_back()
    expect(page).to_have_url(base + start_path)
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(QUESTION_URL)
    attempt_id = int(QUESTION_URL.search(page.url)[1])
    attempt_path = f"/attempts/{attempt_id}"
    expect(page.locator("#quiz-progress")).to_have_text(f"0 of {total} answered")

    wrong_at = next(
        item.position
        for item in Attempt.objects.get(pk=attempt_id).items.select_related("question")
        if item.question.is_single_answer
    )
    evidence_checked = False
    correct_count = 0
    for n in range(1, total + 1):
        question_heading(page, n, total)
        assert page.url == f"{base}{attempt_path}/{n}/"
        title = page.title()
        if not title.startswith(f"Question {n} ") and not any("title" in p for p in problems):
            problems.append(
                f"after 'Next question' the document title is still {title!r} at question {n}: "
                "the #quiz-area partial carries no <title>"
            )
        plan = plan_answer(item_at(attempt_id, n), correct=n != wrong_at)
        correct_count += plan.correct

        page.evaluate(f"window.__marker = 'question {n}'")
        answer_with_mouse(page, plan)
        expect_feedback(page, plan)
        # Swapped in place: the same document, so the marker survived.
        assert page.evaluate("window.__marker") == f"question {n}"
        expect(page.locator("#quiz-progress")).to_have_text(f"{n} of {total} answered")
        entry = page.locator(f"#qm-{n} a.qm")
        expect(entry).to_have_class(re.compile(r"\bqm--answered\b"))
        expect(entry).to_contain_text(f"{n}, right" if plan.correct else f"{n}, wrong")
        expect(page.locator("#live-region")).to_have_text(
            "Correct." if plan.correct else "Not quite."
        )
        assert Response.objects.get(item__attempt_id=attempt_id, item__position=n).is_correct is (
            plan.correct
        )

        if not evidence_checked and plan.kind == "choice":
            # The evidence link opens the article at the sentence, highlighted.
            question = item_at(attempt_id, n).question
            page.get_by_role("link", name="Show me where in the article").click()
            anchor = f"#p-{question.evidence_paragraph}"
            expect(page).to_have_url(re.compile(re.escape(anchor) + "$"))
            mark = page.locator(f"{anchor} mark#evidence")
            expect(mark).to_be_visible()
            expect(mark).to_have_text(question.evidence_quote)
            assert page.evaluate(f"document.querySelector('{anchor}').matches(':target')")
            expect(page.locator(anchor)).to_be_in_viewport()
            page.get_by_role("link", name="Back to the quiz").click()
            expect(page).to_have_url(f"{base}{attempt_path}/{n}/")
            expect_feedback(page, plan)
            evidence_checked = True

        page.evaluate(f"window.__marker = 'next {n}'")
        if n < total:
            page.get_by_role("link", name="Next question").click()
            expect(page).to_have_url(f"{base}{attempt_path}/{n + 1}/")
            assert page.evaluate("window.__marker") == f"next {n}", "Next question reloaded"
        else:
            page.locator("#question-card").get_by_role("link", name="Review and finish").click()
    assert evidence_checked

    expect(page.get_by_role("heading", name="Ready to finish?")).to_be_visible()
    expect(page.get_by_text("Every question has an answer.")).to_be_visible()
    if duplicated := duplicated_page_chrome(page):
        problems.append(
            "'Review and finish' after the last question swaps the whole summary page (header, "
            f"main, footer) into #quiz-area: {duplicated}"
        )
    page.get_by_role("button", name="Finish and see my results").click()
    expect(page).to_have_url(f"{base}{attempt_path}/results/")

    # Results with the score of what was answered.
    score = expected_score(correct_count, total)
    expect(page.locator(".score__number")).to_have_text(f"{score}%")
    expect(page.locator(".score__detail")).to_contain_text(f"{correct_count} of {total} right")
    expect(page.locator(".score__detail")).to_contain_text("Passed")
    expect(page.locator(".review__item--wrong")).to_have_count(total - correct_count)
    expect(
        page.get_by_role("button", name=f"Practise what I missed ({total - correct_count})")
    ).to_be_visible()
    assert duplicated_page_chrome(page) == []

    # Try again: a new attempt, at question 1, nothing answered.
    page.get_by_role("button", name="Try again").click()
    expect(page).to_have_url(QUESTION_URL)
    new_id = int(QUESTION_URL.search(page.url)[1])
    assert new_id != attempt_id
    assert page.url.endswith(f"/attempts/{new_id}/1/")
    question_heading(page, 1, total)
    expect(page.locator("#quiz-progress")).to_have_text(f"0 of {total} answered")
    expect(page.locator("a.qm--answered")).to_have_count(0)

    # My learning: the lesson is done, with its score, and the open attempt to continue.
    page.get_by_role("link", name="My learning").click()
    expect(page).to_have_url(base + "/me/")
    status = "★ Mastered" if score >= MASTERY_PERCENT else "✓ Passed"
    continue_card = page.locator(".continue")
    expect(continue_card.get_by_role("heading")).to_have_text("Continue where you left off")
    expect(continue_card).to_contain_text(sample_lesson.title)
    expect(continue_card.get_by_role("link", name="Resume the quiz")).to_have_attribute(
        "href", f"/attempts/{new_id}/1/"
    )
    row = page.locator("table.table tbody tr").filter(has_text=sample_lesson.title)
    expect(row.locator("td")).to_have_text(
        [status, f"{score}%", f"{score}%", re.compile(rf"Attempt 1.* · {score}%")]
    )
    expect(page.get_by_text("1 of 1 lesson passed")).to_be_visible()

    assert not problems, "App defects found:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# 2. No JavaScript: plain forms, Post/Redirect/Get


def test_whole_quiz_works_without_javascript(live_server, student, nojs_page):
    page = nojs_page
    lesson = make_handmade_lesson()
    base = live_server.url
    log_in(page, base, student.username)
    attempt_id = start_quiz(page, base, lesson)
    total = 4
    correct_count = 0
    for n in range(1, total + 1):
        question_heading(page, n, total)
        plan = plan_answer(item_at(attempt_id, n), correct=n != 2)
        correct_count += plan.correct
        with page.expect_navigation():
            answer_with_mouse(page, plan)
        # Post/Redirect/Get (303): back on the question's own URL, opening at the feedback.
        expect(page).to_have_url(f"{base}/attempts/{attempt_id}/{n}/#feedback")
        expect(page.locator("#feedback")).to_be_in_viewport()
        expect_feedback(page, plan)
        expect(page.locator("#quiz-progress")).to_have_text(f"{n} of {total} answered")
        expect(page.locator(f"#qm-{n} a.qm")).to_contain_text(
            f"{n}, right" if plan.correct else f"{n}, wrong"
        )
        link = "Next question" if n < total else "Review and finish"
        page.locator("#question-card").get_by_role("link", name=link).click()
    expect(page).to_have_url(f"{base}/attempts/{attempt_id}/summary/")
    expect(page.get_by_text(f"You answered {total} of {total} questions.")).to_be_visible()
    page.get_by_role("button", name="Finish and see my results").click()
    expect(page).to_have_url(f"{base}/attempts/{attempt_id}/results/")
    score = expected_score(correct_count, total)
    expect(page.locator(".score__number")).to_have_text(f"{score}%")
    expect(page.locator(".score__detail")).to_contain_text(f"{correct_count} of {total} right")

    page.get_by_role("link", name="My learning").first.click()
    expect(page).to_have_url(base + "/me/")
    row = page.locator("table.table tbody tr").filter(has_text=lesson.title)
    expect(row.locator("td")).to_have_text(
        ["✓ Passed", f"{score}%", f"{score}%", re.compile(rf"Attempt 1.* · {score}%")]
    )
    expect(page.get_by_text("1 of 1 lesson passed")).to_be_visible()


# ---------------------------------------------------------------------------------------------
# 3. Keyboard only


def tab_to(page, predicate: str, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab until `predicate` (JS, `el` is the focused element) holds."""
    script = f"() => {{ const el = document.activeElement; return !!(el && ({predicate})); }}"
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(script):
            return
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(f"Tab never reached {predicate!r}; focus is on {focused[:200]}")


def answer_with_keyboard(page, plan: Plan) -> None:
    card = page.locator("#question-card")
    if plan.kind == "choice":
        tab_to(page, "el.name === 'choice'")  # the group's first radio
        expect(card.locator("input[name=choice][value='1']")).to_be_focused()
        if plan.choice_index == 1:
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowUp")
        for _ in range(plan.choice_index - 1):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        radio = card.locator(f"input[name=choice][value='{plan.choice_index}']")
        expect(radio).to_be_focused()
        expect(radio).to_be_checked()
        tab_to(page, "el.matches('button[type=submit]') && el.textContent.includes('Check')")
        page.keyboard.press("Enter")
    elif plan.kind == "text":
        tab_to(page, "el.name === 'text'")
        page.keyboard.type(plan.text)
        page.keyboard.press("Enter")  # implicit submission from the text field
    else:
        for n, place in enumerate(plan.places, start=1):
            tab_to(page, f"el.name === 'place_{n}'")
            page.keyboard.press(str(place))  # type-ahead picks the option "1", "2", …
            expect(card.locator(f"select[name=place_{n}]")).to_have_value(str(place))
        tab_to(page, "el.matches('button[type=submit]') && el.textContent.includes('Check')")
        page.keyboard.press("Enter")


def test_quiz_can_be_taken_with_the_keyboard_only(live_server, student, page):
    lesson = make_handmade_lesson()
    base = live_server.url
    log_in(page, base, student.username)
    attempt_id = start_quiz(page, base, lesson)
    total = 4
    kinds = set()
    for n in range(1, total + 1):
        question_heading(page, n, total)
        plan = plan_answer(item_at(attempt_id, n), correct=n != 3)
        kinds.add(plan.kind)
        page.evaluate(f"window.__marker = {n}")
        answer_with_keyboard(page, plan)
        expect_feedback(page, plan)
        assert page.evaluate("window.__marker") == n, "the answer reloaded the page"
        # Focus lands on the feedback heading after the swap.
        expect(page.locator("#question-card [data-autofocus]")).to_be_focused()
        link = "Next question" if n < total else "Review and finish"
        tab_to(page, f"el.tagName === 'A' && el.textContent.trim() === '{link}'", limit=10)
        page.keyboard.press("Enter")
        if n < total:
            expect(page).to_have_url(f"{base}/attempts/{attempt_id}/{n + 1}/")
            # After "Next question" focus moves to the new question's heading, not the body.
            expect(page.locator("h1.quiz__title")).to_be_focused()
    assert kinds == {"choice", "text", "sequence"}
    expect(page.get_by_role("heading", name="Ready to finish?")).to_be_visible()
    tab_to(page, "el.textContent.trim() === 'Finish and see my results'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/attempts/{attempt_id}/results/")
    expect(page.locator(".score__number")).to_have_text(f"{expected_score(3, 4)}%")


def tabs_until(page, predicate: str, *, limit: int = 30) -> int:
    """How many Tab presses until `predicate` (JS, `el` the focused element) holds."""
    script = f"() => {{ const el = document.activeElement; return !!(el && ({predicate})); }}"
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(script):
            return presses
    raise AssertionError(f"Tab never reached {predicate!r}")


FIRST_OPTION = "el.closest('#question-card') && el.matches('input, select')"


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_the_question_is_three_tabs_away_and_the_verdict_gets_focus(
    live_server, student, browser, js
):
    context = browser.new_context(viewport=SIZES["desktop"], java_script_enabled=js)
    page = context.new_page()
    page.set_default_timeout(10_000)
    lesson = make_handmade_lesson(shuffle_questions=False)
    base = live_server.url
    log_in(page, base, student.username)
    attempt_id = start_quiz(page, base, lesson)
    page.reload()  # a fresh page load: focus starts at the top of the document

    # Tab, Enter on "Skip to the question", Tab: the first option.
    presses = tabs_until(page, "el.matches('.skip-link')")
    expect(page.locator(".skip-link")).to_have_text("Skip to the question")
    page.keyboard.press("Enter")
    presses += tabs_until(page, FIRST_OPTION)
    assert presses <= 3, presses

    plan = plan_answer(item_at(attempt_id, 1))
    answer_with_keyboard(page, plan)
    expect_feedback(page, plan)
    if js:
        expect(page.locator("#question-card [data-autofocus]")).to_be_focused()
        tab_to(page, "el.tagName === 'A' && el.textContent.trim() === 'Next question'", limit=6)
        page.keyboard.press("Enter")
        expect(page.locator("h1.quiz__title")).to_be_focused()
        # The new question's options come before the map: one Tab away.
        assert tabs_until(page, FIRST_OPTION) <= 3
    else:
        # The answer's page opens at the verdict; the next Tab starts from there.
        expect(page).to_have_url(f"{base}/attempts/{attempt_id}/1/#feedback")
        tabs_until(page, "el.closest('#feedback')", limit=3)
    context.close()


# ---------------------------------------------------------------------------------------------
# 4. A failed save is never silent


def test_failed_save_is_shown_and_nothing_is_stored(live_server, student, page):
    lesson = make_handmade_lesson(shuffle_questions=False)
    base = live_server.url
    log_in(page, base, student.username)
    attempt_id = start_quiz(page, base, lesson)
    item = item_at(attempt_id, 1)
    plan = plan_answer(item)
    card = page.locator("#question-card")
    save_error = card.locator(".save-error")
    expect(save_error).to_be_hidden()

    # The network drops the answer.
    def drop_posts(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/attempts/**", drop_posts)
    answer_with_mouse(page, plan)
    expect(save_error).to_be_visible()
    expect(save_error).to_have_text(re.compile(r"^Not saved — check your connection"))
    expect(save_error).to_be_focused()
    expect(card.locator(".feedback")).to_have_count(0)
    assert not Response.objects.filter(item=item).exists()
    assert Attempt.objects.get(pk=attempt_id).answered_count == 0

    # Back online: the same form, still filled in, saves.
    page.unroute("**/attempts/**")
    card.get_by_role("button", name="Check answer").click()
    expect_feedback(page, plan)
    assert Response.objects.get(item=item).is_correct
    assert Attempt.objects.get(pk=attempt_id).answered_count == 1

    # The session expired (session cookie gone, CSRF cookie kept): 401, explained.
    page.get_by_role("link", name="Next question").click()
    question_heading(page, 2, 4)
    item = item_at(attempt_id, 2)
    plan = plan_answer(item)
    page.context.clear_cookies(name="sessionid")
    answer_with_mouse(page, plan)
    expect(save_error).to_be_visible()
    expect(save_error).to_have_text(
        "Not saved — you have been logged out. Log in again (new tab), then try again here."
    )
    expect(save_error.get_by_role("link", name="Log in again (new tab)")).to_have_attribute(
        "href", f"/accounts/login/?next=%2Fattempts%2F{attempt_id}%2F2%2F"
    )
    assert not Response.objects.filter(item=item).exists()

    # Log in again in another tab, as the message says, then try again in this one.
    other = page.context.new_page()
    log_in(other, base, student.username)
    other.close()
    with page.expect_response(lambda r: r.request.method == "POST") as retried:
        card.get_by_role("button", name="Check answer").click()
    assert retried.value.status == 200, (
        f"after logging in again, 'try again' got HTTP {retried.value.status}: the page still "
        "sends the CSRF token from before the log-in (Django rotates it on log-in), so the "
        "answer is refused and the learner is told to check their connection"
    )
    expect(save_error).to_be_hidden()
    expect_feedback(page, plan)
    assert Response.objects.filter(item=item).exists()


# ---------------------------------------------------------------------------------------------
# 5. Two tabs on the same question


def test_second_tab_cannot_overwrite_an_answer(live_server, student, page):
    lesson = make_handmade_lesson(shuffle_questions=False)
    base = live_server.url
    log_in(page, base, student.username)
    attempt_id = start_quiz(page, base, lesson)
    tab_a = page
    tab_b = page.context.new_page()
    tab_b.goto(tab_a.url)
    question_heading(tab_b, 1, 4)

    item = item_at(attempt_id, 1)
    first = plan_answer(item, correct=True)
    second = plan_answer(item, correct=False)
    assert first.choice_text != second.choice_text

    answer_with_mouse(tab_a, first)
    expect_feedback(tab_a, first)
    answer_with_mouse(tab_b, second)
    notice = tab_b.locator("#question-card .notice")
    expect(notice).to_contain_text("You had already answered this question")
    # Tab B shows the answer that was stored: tab A's.
    expect_feedback(tab_b, first)
    response = Response.objects.get(item=item)
    assert response.choice.text == first.choice_text
    assert response.is_correct
    assert Attempt.objects.get(pk=attempt_id).answered_count == 1
    expect(tab_b.locator("#quiz-progress")).to_have_text("1 of 4 answered")


# ---------------------------------------------------------------------------------------------
# 6. Screenshots, phone width and axe


def axe_violations(page) -> list[str]:
    """Every axe violation, whatever its impact."""
    return [
        f"{v['id']} ({v.get('impact')}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_quiz_pages_look_right_and_pass_axe(live_server, student, browser, screenshot, scheme):
    context = browser.new_context(viewport=SIZES["desktop"], color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(10_000)
    lesson = make_handmade_lesson(shuffle_questions=False)
    base = live_server.url
    failures = []

    def check(name: str, *, shots: bool = True) -> None:
        for label, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            if label == "phone":
                overflow = horizontal_overflow(page)
                if overflow > 0:
                    failures.append(f"{name}: {overflow}px wider than a 360px phone")
            if shots:
                assert screenshot(page, f"quiz-{name}-{label}-{scheme}").exists()
        page.set_viewport_size(SIZES["desktop"])
        failures.extend(f"{name} ({scheme}): {v}" for v in axe_violations(page))

    for name, path in (("signup", "/accounts/signup/"), ("login", "/accounts/login/")):
        page.goto(base + path)
        check(name, shots=False)
    log_in(page, base, student.username)
    page.goto(base + "/")
    check("home")
    page.goto(base + lesson.course.get_absolute_url())
    check("course", shots=False)
    page.goto(base + lesson.get_absolute_url())
    check("lesson")
    attempt_id = start_quiz(page, base, lesson)
    question_heading(page, 1, 4)
    check("question")
    # A wrong answer shows the most: verdict, both answers, explanation and evidence.
    plan = plan_answer(item_at(attempt_id, 1), correct=False)
    answer_with_mouse(page, plan)
    expect_feedback(page, plan)
    check("feedback")

    for n in range(2, 5):
        page.get_by_role("link", name="Next question").click()
        question_heading(page, n, 4)
        if n == 4:
            check("sequence", shots=True)
        plan = plan_answer(item_at(attempt_id, n), correct=n != 3)
        answer_with_mouse(page, plan)
        expect_feedback(page, plan)
    page.goto(f"{base}/attempts/{attempt_id}/summary/")
    expect(page.get_by_role("heading", name="Ready to finish?")).to_be_visible()
    check("summary")
    page.get_by_role("button", name="Finish and see my results").click()
    expect(page.locator(".score__number")).to_have_text("50%")
    check("results")
    page.goto(base + "/me/")
    expect(page.get_by_role("heading", name="My learning", level=1)).to_be_visible()
    check("my-learning")
    # On a phone the table's header row is hidden; each score must still say what it is.
    page.set_viewport_size(SIZES["phone"])
    unlabelled = page.evaluate(UNLABELLED_CELLS)
    if unlabelled:
        failures.append(
            "my-learning (phone): the column headers are hidden and these cells have no "
            f"label of their own (Best / Latest / Attempts?): {unlabelled}"
        )
    context.close()
    assert not failures, "App defects found:\n" + "\n".join(failures)


UNLABELLED_CELLS = """() => {
    const table = document.querySelector('table.table');
    if (table.tHead && table.tHead.getClientRects().length > 0) return [];
    return [...table.querySelectorAll('tbody td')].filter((td) => {
        const before = getComputedStyle(td, '::before').content;
        return ['none', 'normal', '""', ''].includes(before) && !td.querySelector('.badge');
    }).map((td) => td.textContent.trim());
}"""
