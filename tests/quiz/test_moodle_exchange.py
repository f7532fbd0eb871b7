"""Moodle exchange that means the same to Moodle: files Moodle writes arrive (or are refused
one by one, by name), and files we write read the same way to Moodle's reader.

The fixtures in fixtures/moodle/ are written for these tests, one question per behaviour of
Moodle's readers; tests/quiz/moodle_gift.py follows Moodle's GIFT reading and writing.
"""

import signal
from pathlib import Path

import pytest

from quiz.authoring.answers import typed_answer_matches
from quiz.exchange import export_gift, export_moodle_xml, import_gift, import_moodle_xml
from quiz.exchange.common import html_to_text
from quiz.generation import generate_for_lesson
from tests.factories import make_course, make_question, make_sample_lesson

from . import moodle_gift
from .test_exchange import hand_made_questions, snapshot

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "moodle"


# --- files Moodle users write ------------------------------------------------------------------


def test_every_kind_of_gift_question_arrives_or_is_refused_by_name(sample_lesson):
    text = (FIXTURES / "every_kind.gift").read_text()
    result = import_gift(text, sample_lesson)

    assert result.ok
    refused = {e.name: str(e) for e in result.refused}
    assert sorted(refused) == sorted(
        ["Intro", "Essay", "Length", "Range", "Half", "Pairs", "Both", "Wild", "Arrow"]
    )
    assert "description" in refused["Intro"] and "essay" in refused["Essay"]
    assert "numerical" in refused["Length"] and "numerical" in refused["Range"]
    assert "partial credit (%50% for “Rhine”)" in refused["Half"]
    assert "matching questions are not supported" in refused["Pairs"]
    assert "partial credit (%50%)" in refused["Both"]
    assert "wildcard" in refused["Wild"]
    assert "matching questions are not supported" in refused["Arrow"]  # Moodle refuses it too
    assert all(str(e).startswith(f"Line {e.line} (“{e.name}”): ") for e in result.refused)

    got = {q.prompt: snapshot(q) for q in result.created}
    assert len(result.created) == 14
    delta = got["Where does a river deposit most of its sediment?"]
    assert delta["choices"][0] == ("At its mouth", True, "Yes: the water slows down there.", 1)
    # After "=" Moodle reads no weight: "%50% of them" is the right answer's text.
    share = got["How many of the world's large rivers cross a border?"]["choices"]
    assert share == [
        ("%50% of them", True, "Right, about half.", 1),
        ("none of them", False, "", 2),
        ("all of them", False, "", 3),
    ]
    missing = got["A river's _____ is where it meets the sea."]
    assert [c[:2] for c in missing["choices"]] == [
        ("start", False),
        ("mouth", True),
        ("bank", False),
    ]
    # Only capital T/TRUE/F/FALSE are true/false to Moodle: {t} and {true} are short answers.
    assert got['Which letter stands for "tributary" on the map?']["answers"] == ["t"]
    assert got["Type the word the map key uses for a true source."]["type"] == "fill_blank"
    assert got["Type the word the map key uses for a true source."]["answers"] == ["true"]
    assert got["River water is usually fresh water."]["type"] == "true_false"
    # 0% short-answer entries are Moodle's wrong answers with feedback: left out, and said so.
    assert got["Which capital lies on the Danube?"]["answers"] == ["Vienna", "Budapest"]
    # Moodle's ordering type, including its {>2 none …} form (not a fill-in).
    stages = got["Put the stages in order."]
    assert stages["type"] == "sequence"
    assert [c[0] for c in stages["choices"]] == [
        "Rain falls",
        "Water runs off",
        "Streams join",
        "Rivers reach the sea",
    ]
    cycle = got["Order the water cycle."]
    assert [c[0] for c in cycle["choices"]] == [
        "Evaporation",
        "Condensation",
        "Precipitation",
        "Collection",
    ]
    assert got["Which is the longest river?"]["choices"][0][:2] == ("Nile", True)
    assert got["Which feature is shown?"]["choices"][0][0] == "An oxbow lake"
    assert got["Listen: What is the sound? More"]["type"] == "multiple_choice"
    assert got["What symbol marks a spring on the map?"]["answers"] == ["*"]  # \* is literal

    notes = {}
    for note in result.notes:
        notes.setdefault(note.name, []).append(note.message)
    assert notes["Capital"] == [
        "Moodle's 0% entry “Prague” was left out (any answer not listed is wrong here), with "
        "its feedback",
        "Moodle's 0% entry “*” was left out (any answer not listed is wrong here), with its "
        "feedback",
        "the feedback on accepted answers was left out",
    ]
    assert notes["Acronym"] == [
        "Moodle showed 2 of the 4 items at a time; here learners put all 4 in order",
        "Moodle gave part marks for a partly right order; here only the whole order scores",
    ]
    assert "Cycle" not in notes  # ALL items, ALL_OR_NOTHING: it means the same here
    assert "tick boxes" in notes["Ticks"][0]
    assert notes["Picture"] == ["left out: an image (questions here are plain text)"]
    assert notes["Listen"] == [
        "left out: a link's address (its words are kept), audio (questions here are plain text)"
    ]
    assert "Delta" not in notes and "Share" not in notes


def test_every_kind_of_moodle_xml_question_arrives_or_is_refused_by_name(sample_lesson):
    result = import_moodle_xml((FIXTURES / "every_kind.xml").read_bytes(), sample_lesson)

    assert result.ok
    refused = {e.name: e.message for e in result.refused}
    assert sorted(refused) == sorted(
        ["Several right", "Wild", "Pairs", "Essay", "Length", "Intro", "Cloze", "Drag"]
    )
    assert refused["Essay"] == "essay questions are not supported here"
    assert refused["Length"] == "numerical questions are not supported here"
    assert refused["Intro"] == "descriptions (text without a question) are not supported here"
    assert refused["Cloze"] == "embedded answers (Cloze) questions are not supported here"
    assert refused["Drag"] == "drag and drop into text questions are not supported here"
    assert "partial credit" in refused["Several right"]
    assert "matching questions are not supported" in refused["Pairs"]

    got = {q.prompt: snapshot(q) for q in result.created}
    assert len(got) == 6
    single = got["Where does a river deposit sediment?"]  # <single>1</single> is single
    assert single["choices"][0] == ("At its mouth", True, "Yes.", 1)
    assert single["explanation"] == "Slow water drops what it carries."
    # moodle_auto_format: HTML as Moodle shows it, its line breaks kept.
    assert got["River water is usually fresh.\nIt is not salty."]["type"] == "true_false"
    # No format at all (older files): Moodle shows it as HTML too.
    capital = got["Which capital lies on the Danube?"]
    assert capital["answers"] == ["Vienna", "Wien"]
    order = got["Put the stages in order."]  # type="match" with places: an ordering
    assert [c[0] for c in order["choices"]] == [
        "Rain falls",
        "Streams join",
        "Rivers reach the sea",
    ]
    cycle = got["Order the water cycle."]
    assert [c[0] for c in cycle["choices"]][:2] == ["Evaporation", "Condensation"]
    assert cycle["choices"][0][2] == "The sun warms the water."

    notes = {}
    for note in result.notes:
        notes.setdefault(note.name, []).append(note.message)
    assert notes["Single one"] == [
        "the hints were left out",
        "the messages for right, partly right and wrong answers were left out",
    ]
    assert notes["Capital"] == [
        "Moodle's 0% entry “Prague” was left out (any answer not listed is wrong here), with "
        "its feedback",
        "the feedback on accepted answers was left out",
        "Moodle matched capitals exactly; here capitals are ignored",
    ]
    assert notes["Old order"] == [
        "Moodle grades this matching question item by item; here it is one ordering question, "
        "right when the whole order is"
    ]
    assert notes["Cycle"] == [
        "Moodle showed 3 of the 4 items at a time; here learners put all 4 in order",
        "Moodle gave part marks for a partly right order; here only the whole order scores",
    ]
    assert notes["Picture"] == [
        "left out: an attached file, an image (questions here are plain text)"
    ]


# --- files we write, as Moodle reads them -------------------------------------------------------


def test_ordering_leaves_as_moodles_ordering_type_with_arrows_intact(sample_lesson):
    question = make_question(
        sample_lesson,
        "sequence",
        prompt="Order the talks: a -> b?",
        choices=[("Tehran -> Baku talks -> 1", False), ("Then {Moscow} # 2", False)],
    )
    (read,) = moodle_gift.read_gift(export_gift([question]))
    assert read.qtype == "ordering" and not read.error
    assert read.text == "Order the talks: a -> b?"
    # Moodle shows items as HTML: character references show as the characters.
    assert [html_to_text(item, newlines_break=True) for item in read.items] == [
        "Tehran -> Baku talks -> 1",
        "Then {Moscow} # 2",
    ]
    # Every item shown, graded all or nothing: what an ordering question is here.
    assert read.ordering_options[:4] == ("2", "ALL", "VERTICAL", "ALL_OR_NOTHING")

    xml = export_moodle_xml([question])
    assert '<question type="ordering">' in xml
    assert "<gradingtype>ALL_OR_NOTHING</gradingtype>" in xml and "subquestion" not in xml


def test_a_fill_in_answer_with_an_arrow_is_a_short_answer_to_moodle(sample_lesson):
    question = make_question(
        sample_lesson, "fill_blank", prompt="Flow goes _____ on the map.", answers=["a -> b"]
    )
    (read,) = moodle_gift.read_gift(export_gift([question]))
    assert read.qtype == "shortanswer"
    patterns = [a.text for a in read.answers if a.fraction == 1]
    assert moodle_gift.accepts("a -> b", patterns)
    # Back here it is the answer it was.
    other = make_sample_lesson(make_course("Copy", "copy"))
    assert [
        a.text
        for a in import_gift(export_gift([question]), other).created[0].accepted_answers.all()
    ] == ["a -> b"]


def test_an_asterisk_in_an_answer_is_escaped_for_moodle(sample_lesson):
    question = make_question(sample_lesson, "fill_blank", prompt="5 _____ 3 is 15.", answers=["*"])
    (read,) = moodle_gift.read_gift(export_gift([question]))
    patterns = [a.text for a in read.answers]
    assert moodle_gift.accepts("*", patterns) and not moodle_gift.accepts("times", patterns)
    xml_patterns = [
        a.split("</text>")[0] for a in export_moodle_xml([question]).split("<answer")[1:]
    ]
    assert all("\\*" in p for p in xml_patterns)


@pytest.mark.parametrize(
    "typed",
    ["Tehran", "tehran", "the Tehran", "Tehran's", "Tehrn", "Iranian", "Tabriz", "Tehran."[:-1]],
)
def test_moodle_marks_right_what_we_mark_right_single_word(sample_lesson, typed):
    both_agree(sample_lesson, ["Tehran"], typed)


@pytest.mark.parametrize(
    "typed", ["Tel Aviv", "Tel-Aviv", "tel aviv", "the Tel Aviv", "Tel Aviv's", "TelAviv", "Haifa"]
)
def test_moodle_marks_right_what_we_mark_right_two_words(sample_lesson, typed):
    both_agree(sample_lesson, ["Tel Aviv"], typed)


@pytest.mark.parametrize("typed", ["Bakú", "Baku", "baku", "the Baku", "Bak"])
def test_moodle_marks_right_what_we_mark_right_accents(sample_lesson, typed):
    both_agree(sample_lesson, ["Bakú"], typed)


def both_agree(lesson, answers, typed):
    question = make_question(lesson, "fill_blank", prompt="Which city? _____", answers=answers)
    (read,) = moodle_gift.read_gift(export_gift([question]))
    moodle = moodle_gift.accepts(typed, [a.text for a in read.answers if a.fraction == 1])
    assert moodle == typed_answer_matches(typed, answers), (typed, read.answers)


def test_a_round_trip_through_moodle_keeps_meaning_and_metadata(sample_lesson):
    """Our GIFT → Moodle reads it (plain comments dropped, tags kept) → Moodle writes GIFT →
    imported into a lesson with the same text: every question means what it meant."""
    generate_for_lesson(sample_lesson)
    hand_made_questions(sample_lesson)
    originals = list(sample_lesson.questions.order_by("position").with_options())
    through_moodle = moodle_gift.write_gift(moodle_gift.read_gift(export_gift(originals)))
    assert "evidence_quote" not in through_moodle  # Moodle kept only the tags

    copy = make_sample_lesson(make_course("Copy", "copy"))
    result = import_gift(through_moodle, copy)
    # Moodle's ordering writer puts the question text in raw: braces in it break Moodle's own
    # file. Every other question comes back.
    braces = [q for q in originals if q.type == "sequence" and "{" in q.prompt]
    assert len(braces) == 1 and [e.message for e in result.refused] == [
        "a second answer block starts here: separate questions with a blank line"
    ]
    originals = [q for q in originals if q not in braces]
    assert len(result.created) == len(originals)
    for before, after in zip(originals, result.created, strict=True):
        was, now = snapshot(before), snapshot(after)
        if before.type == "sequence":  # Moodle's ordering GIFT has no per-item feedback
            was["choices"] = [c[:2] + ("",) + c[3:] for c in was["choices"]]
        # Moodle writes an answer's [plain] marker only when it differs from the question's,
        # so text that itself starts with "[html]" reads as a format in Moodle's own file.
        was["choices"] = [(unmarked(c[0]), c[1], unmarked(c[2])) + c[3:] for c in was["choices"]]
        assert now == was, before.prompt


def unmarked(text: str) -> str:
    for marker in ("[html]", "[plain]", "[moodle]", "[markdown]"):
        if text.startswith(marker):
            return text[len(marker) :].strip()
    return text


def test_html_with_hundreds_of_thousands_of_brackets_is_read_quickly(sample_lesson):
    """A real HTML parser, not a regex: 200,000 "<" no longer hold a worker for minutes."""
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("took more than 20 s"))
    signal.alarm(20)
    try:
        xml = (
            '<quiz><question type="truefalse"><questiontext format="html"><text>'
            + "&lt;" * 200_000
            + " Bees dance.</text></questiontext>"
            '<answer fraction="100"><text>true</text></answer>'
            '<answer fraction="0"><text>false</text></answer></question></quiz>'
        )
        result = import_moodle_xml(xml, sample_lesson)
    finally:
        signal.alarm(0)
    assert result.created[0].prompt == "<" * 200_000 + " Bees dance."


def test_an_unnamed_refused_question_goes_by_the_start_of_its_text(sample_lesson):
    result = import_gift("When did the dam open?{#1968}\n\nSky is blue.{T}", sample_lesson)
    assert [str(e) for e in result.refused] == [
        "Line 1 (“When did the dam open?”): numerical questions ({#…}) are not supported here"
    ]
    assert len(result.created) == 1


def test_markdown_text_is_kept_as_typed_and_said_so(sample_lesson):
    result = import_gift("[markdown]Is the **Nile** long?{T}", sample_lesson)
    assert result.created[0].prompt == "Is the **Nile** long?"
    assert [n.message for n in result.notes] == [
        "Moodle showed its Markdown (**bold**, lists) formatted; here it is as typed"
    ]
