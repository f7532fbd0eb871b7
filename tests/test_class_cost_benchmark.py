"""The pure parts of benchmarks/class_cost.py: reading what the server says, and the sums.

No server, no database: the HTML below is shaped like templates/quiz/answer_response.html,
question_swap.html and _feedback.html.
"""

from benchmarks.class_cost import (
    Meter,
    after_htmx_answer,
    answer_form_action,
    auto_pool,
    cpu_ms_per,
    failures_of,
    next_card,
    next_link,
    ratio,
)

FORM_4 = (
    '<form method="post" action="/attempts/7/4/" class="answer-form" '
    'data-hx-post="/attempts/7/4/" data-hx-target="#question-card" data-hx-swap="outerHTML">'
    '<input type="radio" name="choice" value="2" id="c2" required></form>'
)
MAP_ENTRY_3 = (  # the answered question's map entry, out of band: an hx-get that is not "Next"
    '<li id="qm-3" data-hx-swap-oob="true"><a href="/attempts/7/3/" class="qm qm--answered" '
    'data-hx-get="/attempts/7/3/"><span aria-hidden="true">●</span> 3</a></li>'
)
LIVE = '<div id="live-region" data-hx-swap-oob="innerHTML">Correct.</div>'


def feedback(actions: str) -> str:
    return (
        '<section id="question-card" class="card question-card">'
        '<div class="feedback feedback--right"><h2 id="question-heading">Correct</h2>'
        f'<div class="actions">{actions}</div></div></section>'
    )


NEXT_HX = (
    '<a class="button" href="/attempts/7/4/" data-hx-get="/attempts/7/4/" '
    'data-hx-target="#quiz-area" data-hx-swap="outerHTML" data-hx-push-url="true">'
    "Next question</a>"
)
TODAY = feedback(NEXT_HX) + MAP_ENTRY_3 + LIVE  # the answer response as it is today


def test_todays_answer_response_means_an_htmx_get_of_the_next_question():
    assert next_card(TODAY) is None
    step = after_htmx_answer(TODAY)
    assert (step.kind, step.url, step.hx) == ("get", "/attempts/7/4/", True)


def test_a_next_card_template_means_no_request():
    body = (
        feedback('<button type="button" class="button">Next question</button>')
        + f'<template id="next-card">{FORM_4}</template>'
        + MAP_ENTRY_3
        + LIVE
    )
    assert next_card(body) == FORM_4
    step = after_htmx_answer(body)
    assert step.kind == "card"
    assert step.url == ""
    assert answer_form_action(step.html) == "/attempts/7/4/"


def test_next_card_found_whatever_its_other_attributes():
    body = f'<template class="x" id="next-card" data-position="4">\n{FORM_4}\n</template>'
    assert after_htmx_answer(body).kind == "card"
    assert next_card("<template id='other'></template>") is None


def test_a_next_card_without_a_form_falls_back_to_the_link():
    body = feedback(NEXT_HX) + '<template id="next-card"></template>'
    step = after_htmx_answer(body)
    assert (step.kind, step.url) == ("get", "/attempts/7/4/")


def test_links_inside_the_template_are_not_clicked():
    body = '<template id="next-card"><a href="/attempts/7/5/">Next question</a></template>'
    assert next_link(body, htmx=True) is None


def test_last_question_is_done():
    body = feedback('<a class="button" href="/attempts/7/summary/">Review and finish</a>') + LIVE
    assert after_htmx_answer(body).kind == "done"


def test_move_on_after_a_wrong_first_try_is_a_plain_page_load():
    retry = (
        '<form method="post" action="/attempts/7/3/" class="answer-form answer-form--retry">'
        '<input type="hidden" name="try" value="2"></form>'
        '<a class="button button--secondary" href="/attempts/7/4/">Move on</a>'
    )
    body = feedback(retry)
    assert answer_form_action(body) is None  # the learner does not take the second try
    step = after_htmx_answer(body)
    assert (step.kind, step.url, step.hx) == ("get", "/attempts/7/4/", False)


def test_without_javascript_the_href_is_followed():
    page = '<nav><a href="/attempts/7/summary/">Review and finish</a></nav>' + feedback(NEXT_HX)
    assert next_link(page, htmx=False) == ("/attempts/7/4/", False)
    assert answer_form_action(page) is None


def test_answer_form_of_a_question_page():
    page = f'<form method="post" action="/accounts/logout/"></form>{FORM_4}'
    assert answer_form_action(page) == "/attempts/7/4/"
    assert answer_form_action("<p>no form</p>") is None


def test_cpu_per_answer_arithmetic():
    assert cpu_ms_per(27.9, 1860) == 15.0  # 27.9 CPU-s over 1,860 answered questions
    assert cpu_ms_per(1.5, 1000) == 1.5
    assert cpu_ms_per(3.0, 0) is None
    assert cpu_ms_per(None, 10) is None
    assert ratio(117.1, 1385.0) == 0.085
    assert ratio(5.0, 0) is None
    assert ratio(None, 3.0) is None


def test_other_processes_cpu_is_what_is_left_of_the_machine():
    before = {"client": 1.0, "server": 10.0, "database": 2.0, "busy": 100.0}
    after = {"client": 3.0, "server": 30.0, "database": 7.0, "busy": 131.0}
    delta = Meter.delta(before, after)
    assert delta["server_cpu_s"] == 20.0
    assert delta["database_cpu_s"] == 5.0
    assert delta["client_cpu_s"] == 2.0
    assert delta["other_processes_cpu_s"] == 4.0  # 31 busy - 2 - 20 - 5
    quiet = Meter.delta(before, {**after, "busy": 120.0})
    assert quiet["other_processes_cpu_s"] == 0.0  # never negative (ticks are coarse)


def test_pool_is_enough_for_both_loops():
    assert auto_pool(8, 15, 3) == 36 * 300 // 5 + 16  # 5 questions an attempt, 300 answers/s
    assert auto_pool(8, 1, 0) == 8 * 40


def test_every_failed_request_counts_warm_ups_included():
    result = {
        "warm_up": {"hello": {"errors": 0}, "htmx": {"errors": 2}},
        "hello": {"errors": 1},
        "htmx": {"errors": 0},
        "class": {"errors": 3},
    }
    assert failures_of(result) == 6
    assert failures_of({"broken": "server not starting"}) == 0
