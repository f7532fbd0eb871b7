"""The question map's entries: links, classes and words, with right/wrong only when shown."""

from django.urls import reverse

from quiz import question_map


def test_urls_are_what_reverse_gives():
    for position in (1, 2, 9, 10, 123):
        assert question_map.question_url(42, position) == reverse(
            "quiz:question", args=[42, position]
        )


def test_states_in_classes_symbols_and_words():
    rows = [(1, True, True), (2, True, False), (3, False, None)]
    shown = question_map.entries(7, rows, current=3, correctness=True)
    assert [(e.css, e.mark, e.state, e.current) for e in shown] == [
        ("qm qm--answered qm--right", "✓", "right", False),
        ("qm qm--answered qm--wrong", "✗", "wrong", False),
        ("qm qm--current", "○", "not answered", True),
    ]
    assert shown[0].href == "/attempts/7/1/"


def test_right_and_wrong_stay_hidden_until_the_review_options_allow():
    rows = [(1, True, True), (2, True, False)]
    hidden = question_map.entries(7, rows, current=1, correctness=False)
    assert [(e.css, e.mark, e.state) for e in hidden] == [
        ("qm qm--answered qm--current", "●", "answered"),
        ("qm qm--answered", "●", "answered"),
    ]


def test_question_url_is_what_reverse_gives_under_a_script_prefix():
    from django.urls import set_script_prefix

    try:
        set_script_prefix("/school/")
        assert question_map.question_url(5, 3) == reverse("quiz:question", args=[5, 3])
        assert question_map.question_url(5, 3).startswith("/school/")
    finally:
        set_script_prefix("/")
    assert question_map.question_url(5, 3) == "/attempts/5/3/"
