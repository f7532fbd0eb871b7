"""Question exchange with Moodle: GIFT and Moodle XML export, import and round trips."""

import xml.etree.ElementTree as ET

import pytest

from quiz.exchange import (
    GiftError,
    export_gift,
    export_moodle_xml,
    import_gift,
    import_moodle_xml,
)
from quiz.generation import generate_for_lesson
from quiz.models import Choice, Question
from tests.factories import make_course, make_lesson, make_question, make_sample_lesson

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
TRICKY = 'Braces {x} = y ~ z # 1: "quoted" & <b>bold</b> \\ back'


def set_rationales(question, *rationales):
    for choice, rationale in zip(question.choices.all(), rationales, strict=True):
        choice.rationale = rationale
        choice.save()
    return question


def hand_made_questions(lesson):
    """One question of every type, full of GIFT specials, HTML and other awkward text."""
    start = 100
    questions = [
        make_question(
            lesson,
            "multiple_choice",
            position=start + 1,
            prompt=f"What does “{TRICKY}” mean? {XSS}",
            explanation=f"Because: {TRICKY}\nSecond line, {XSS}",
            choices=[("a = b", False), ("{c}", True), ("~d#e", False), ("[html] f: g", False)],
        ),
        make_question(
            lesson,
            "true_false",
            position=start + 2,
            prompt="The sky is green & the grass is <blue>?",
            explanation="####Nope: see #2.",
            skill="inference",
            difficulty=3,
        ),
        make_question(
            lesson,
            "true_false",  # False listed first: kept as choices, in that order
            position=start + 3,
            prompt="Bees dance: true or false?",
            choices=[("False", False), ("True", True)],
        ),
        make_question(
            lesson,
            "fill_blank",
            position=start + 4,
            prompt="Bees use the _____ {dance} to share = directions.",
            answers=["waggle dance", "wag=gle", "dance # 1", "}{", "a -> b"],
        ),
        make_question(
            lesson,
            "fill_blank",
            position=start + 5,
            prompt="The dance is called the _____",
            answers=["waggle"],
            explanation="",
        ),
        make_question(
            lesson,
            "fill_blank",
            position=start + 6,
            prompt="Who decoded the dance?",
            answers=["Karl von Frisch", "von Frisch"],
        ),
        make_question(
            lesson,
            "sequence",
            position=start + 7,
            prompt="Put these in order: {first} -> last",
            choices=[("Find food", False), ("Fly -> hive", False), ("Dance = 3", False)],
            skill="sequence",
        ),
        make_question(
            lesson,
            "who_holds_view",
            position=start + 8,
            prompt=f"Who thinks {XSS}?",
            choices=[("Karl", False), ("Ants & co", True)],
            skill="viewpoint",
            difficulty=1,
        ),
        make_question(
            lesson,
            "vocabulary",
            position=start + 9,
            prompt="What does “waggle” mean?",
            choices=[("%50% shake", True), ("fly", False), ("sleep", False)],
            skill="vocabulary",
        ),
        make_question(
            lesson,
            "main_idea",
            position=start + 10,
            prompt="Line one\nLine two with C:\\new\\path",
            skill="main_idea",
        ),
    ]
    set_rationales(questions[0], "No: a ≠ b.", "", "~ is #wrong: {}", XSS)
    set_rationales(questions[1], "", "It's blue & <green>: #1")
    set_rationales(questions[2], "Wrong: {see} text", "Right = true")
    set_rationales(questions[6], "", "Then ~ fly: {back}", "")
    set_rationales(questions[8], "", "No # way", "[plain] literal")
    return questions


def snapshot(question, *, sequence_rationales=True):
    keep = sequence_rationales or question.type != "sequence"
    return {
        "type": question.type,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "choices": [
            (c.text, c.is_correct, c.rationale if keep else "", c.position)
            for c in question.choices.all()
        ],
        "answers": [a.text for a in question.accepted_answers.all()],
        "skill": question.skill,
        "difficulty": question.difficulty,
        "evidence": (
            question.evidence_paragraph,
            question.evidence_start,
            question.evidence_end,
            question.evidence_quote,
        ),
    }


@pytest.fixture
def all_questions(sample_lesson):
    generate_for_lesson(sample_lesson)
    hand_made_questions(sample_lesson)
    return list(sample_lesson.questions.with_options())


@pytest.fixture
def other_lesson(db):
    return make_sample_lesson(make_course("Other", "other"))


# --- GIFT round trip ----------------------------------------------------------------------------


def test_gift_round_trip_keeps_every_field(all_questions, other_lesson):
    assert {q.type for q in all_questions} >= {
        "multiple_choice",
        "true_false",
        "fill_blank",
        "who_holds_view",
        "sequence",
        "vocabulary",
        "main_idea",
    }
    text = export_gift(all_questions)

    result = import_gift(text, other_lesson)

    assert result.errors == []
    assert result.ok
    assert len(result.created) == len(all_questions)
    imported = list(other_lesson.questions.with_options())
    assert [snapshot(q) for q in imported] == [snapshot(q) for q in all_questions]
    assert {q.origin for q in imported} == {"gift"}
    assert {q.status for q in imported} == {"draft"}
    assert [q.position for q in imported] == list(range(1, len(all_questions) + 1))


def test_gift_round_trip_twice_gives_the_same_file(all_questions, other_lesson):
    text = export_gift(all_questions)
    import_gift(text, other_lesson)
    again = export_gift(other_lesson.questions.all())
    assert again == text


def test_gift_export_escapes_specials_and_reads_as_moodle_gift(sample_lesson):
    question = make_question(sample_lesson, prompt="a {b} = c ~ d # e: f \\ g")
    text = export_gift([question])
    assert "a \\{b\\} \\= c \\~ d \\# e\\: f \\\\ g" in text
    assert (
        "// [tag:type:multiple_choice] [tag:skill:literal] [tag:difficulty:2] [tag:evidence:1.0-"
        in text
    )
    assert "\t=Bees\n\t~Ants\n" in text
    assert "####Because the text says so.\n}" in text


def test_gift_export_writes_true_false_and_short_answer_and_matching(sample_lesson):
    tf = make_question(sample_lesson, "true_false", choices=[("True", False), ("False", True)])
    set_rationales(tf, "Not true", "Indeed")
    blank = make_question(
        sample_lesson, "fill_blank", prompt="Bees _____ a lot.", answers=["dance", "waggle"]
    )
    order = make_question(
        sample_lesson, "sequence", choices=[("One", False), ("Two", False)], prompt="Order?"
    )
    text = export_gift([tf, blank, order])
    assert "{F#Not true#Indeed####Because the text says so.}" in text
    # Moodle's exact match gets the forms our grader also accepts ("the dance").
    assert (
        "[plain]Bees {=dance =waggle =the dance =the waggle ####Because the text says so.} a lot."
        in text
    )
    # Moodle's ordering type, items in order, all shown, graded as a whole.
    assert (
        "{>2 ALL VERTICAL ALL_OR_NOTHING SHOW none\nOne\nTwo\n####Because the text says so.}"
        in text
    )


def test_gift_round_trip_drops_evidence_that_is_not_in_the_new_lesson(sample_lesson):
    question = make_question(sample_lesson, "multiple_choice")
    bees = make_lesson(make_course("Bees", "bees"))
    result = import_gift(export_gift([question]), bees)
    assert result.ok
    imported = result.created[0]
    assert (
        imported.evidence_paragraph,
        imported.evidence_start,
        imported.evidence_end,
        imported.evidence_quote,
    ) == (1, 0, 0, "")


def test_gift_import_finds_a_quote_whose_offsets_moved(sample_lesson, other_lesson):
    question = make_question(sample_lesson, "multiple_choice", paragraph=3)
    text = export_gift([question]).replace(
        f"evidence: 3.0-{question.evidence_end}", "evidence: 2.10-20"
    )
    imported = import_gift(text, other_lesson).created[0]
    assert imported.evidence_paragraph == 3
    assert imported.evidence_start == 0
    assert imported.evidence_quote == question.evidence_quote


# --- hand-written GIFT ---------------------------------------------------------------------------

HAND_WRITTEN = """// Questions typed by a teacher
$CATEGORY: $course$/top/Reading


::Capital::What is the capital of France? {
  =Paris#Right, Paris.
  ~Lyon#No, that's a different city
  ~Nice
}

Grant is buried in Grant's tomb.{FALSE#No one is buried there.#Right: nobody.}

The bees dance the {=waggle dance =%100%waggle#good} to share directions.

Who discovered the dance? {=Karl von Frisch =von Frisch ####He won a Nobel Prize.}

::Steps:: Put the steps in order. {
 =She dances. -> 3
 =The forager finds food. -> 1
 =She returns to the hive. -> 2
}

Grant is {~buried =entombed ~living} in Grant's tomb.

Honey is sweet. {T}
"""


def test_hand_written_gift_imports_each_kind(sample_lesson):
    text = HAND_WRITTEN.replace("\n", "\r\n")

    result = import_gift(text, sample_lesson, status="published")

    assert result.errors == []
    got = [snapshot(q) for q in result.created]
    types = [g["type"] for g in got]
    assert types == [
        "multiple_choice",
        "true_false",
        "fill_blank",
        "fill_blank",
        "sequence",
        "multiple_choice",
        "true_false",
    ]
    capital, tomb, dance, who, steps, missing, honey = got
    assert capital["prompt"] == "What is the capital of France?"
    assert capital["choices"] == [
        ("Paris", True, "Right, Paris.", 1),
        ("Lyon", False, "No, that's a different city", 2),
        ("Nice", False, "", 3),
    ]
    assert tomb["prompt"] == "Grant is buried in Grant's tomb."
    assert tomb["choices"] == [
        ("True", False, "No one is buried there.", 1),
        ("False", True, "Right: nobody.", 2),
    ]
    assert dance["prompt"] == "The bees dance the _____ to share directions."
    assert dance["answers"] == ["waggle dance", "waggle"]
    assert who["prompt"] == "Who discovered the dance?"
    assert who["answers"] == ["Karl von Frisch", "von Frisch"]
    assert who["explanation"] == "He won a Nobel Prize."
    assert steps["prompt"] == "Put the steps in order."
    assert steps["skill"] == "sequence"
    assert steps["choices"] == [
        ("The forager finds food.", False, "", 1),
        ("She returns to the hive.", False, "", 2),
        ("She dances.", False, "", 3),
    ]
    assert missing["prompt"] == "Grant is _____ in Grant's tomb."
    assert [c[:2] for c in missing["choices"]] == [
        ("buried", False),
        ("entombed", True),
        ("living", False),
    ]
    assert honey["choices"] == [("True", True, "", 1), ("False", False, "", 2)]
    for question in result.created:
        assert question.origin == "teacher"
        assert question.status == "published"
        assert (question.evidence_paragraph, question.evidence_start) == (1, 0)
        assert (question.evidence_end, question.evidence_quote) == (0, "")


def test_hand_written_gift_questions_go_after_existing_ones(sample_lesson):
    make_question(sample_lesson, position=7)
    result = import_gift("Honey is sweet. {T}\n\nIce is hot. {F}", sample_lesson)
    assert [q.position for q in result.created] == [8, 9]


def test_html_format_marker_is_turned_into_text(sample_lesson):
    result = import_gift("[html]<p>Is 1 &lt; 2?</p> {T}", sample_lesson)
    assert result.created[0].prompt == "Is 1 < 2?"


# --- errors --------------------------------------------------------------------------------------

BROKEN = """// line 1: a comment
::Good:: Is the sky blue? {T}

::No key:: Pick one {~a ~b ~c}

::Open:: What is the capital? {=Paris

::Number:: When was Grant born? {#1822:5}

::Weights:: Pick two {~%50%a ~%50%b ~%-100%c}

::Essay:: Tell me about bees. {}

::Matching:: Match. {=Canada -> Ottawa =Italy -> Rome}

Just some text without answers.

::Two keys:: Pick {=a =b ~c}
"""


def test_each_refused_question_names_its_line_and_the_rest_is_imported(sample_lesson):
    result = import_gift(BROKEN, sample_lesson)

    assert result.ok  # the file could be read: only some of its questions are refused
    assert [q.prompt for q in result.created] == ["Is the sky blue?"]
    assert sample_lesson.questions.count() == 1
    assert [e.line for e in result.refused] == [4, 6, 8, 10, 10, 12, 14, 16, 18]
    assert [e.name for e in result.refused] == [
        "No key",
        "Open",
        "Number",
        "Weights",
        "Weights",
        "Essay",
        "Matching",
        "Just some text without answers.",
        "Two keys",
    ]
    messages = [str(e) for e in result.refused]
    assert messages[0] == "Line 4 (“No key”): the question has no right answer (mark it with =)"
    assert "never closed with }" in messages[1]
    assert "numerical" in messages[2]
    assert "partial credit (%50%)" in messages[3]
    assert "essay" in messages[5]
    assert "matching questions are not supported" in messages[6]
    assert "description" in messages[7]
    assert "2 right answers" in messages[8]


def test_error_lines_point_inside_multi_line_questions(sample_lesson):
    text = "Honey is sweet. {T}\n\n\n::Q:: Pick one {\n  =a\n  ~b\n  ~%30%c\n  =\n}\n"
    result = import_gift(text, sample_lesson)
    assert result.refused == [
        GiftError(7, result.refused[0].message, "Q"),
        GiftError(8, "one of the answers is empty", "Q"),
    ]
    assert "partial credit (%30%)" in result.refused[0].message
    assert Question.objects.count() == 1  # the honey question


def test_stray_brace_and_missing_blank_line_are_reported(sample_lesson):
    result = import_gift("A } b {T}\n\nHoney is sweet. {T}\nIce is hot. {F}", sample_lesson)
    assert [e.line for e in result.refused] == [1, 4]
    assert "blank line" in result.refused[1].message


def test_empty_file_is_an_error(sample_lesson):
    result = import_gift("// nothing here\n\n$CATEGORY: x\n", sample_lesson)
    assert result.errors == [GiftError(1, "the file contains no questions")]


def test_too_long_texts_are_reported_not_crashed(sample_lesson):
    result = import_gift("Pick {=" + "a" * 600 + " ~b}", sample_lesson)
    assert "too long" in result.refused[0].message
    assert Choice.objects.count() == 0


# --- script payloads -----------------------------------------------------------------------------


def test_script_payloads_are_stored_as_plain_text(sample_lesson):
    # [plain] text is literal to Moodle and to us; answers and feedback take its format.
    text = f"[plain]{XSS} is? {{={XSS}#{XSS} ~b#x ####{XSS}}}\n\nFill {{={XSS}}} in."
    result = import_gift(text, sample_lesson)
    assert result.ok and not result.refused
    choice_question, blank_question = result.created
    assert choice_question.prompt == f"{XSS} is?"
    assert choice_question.explanation == XSS
    assert choice_question.choices.first().text == XSS
    assert choice_question.choices.first().rationale == XSS
    # A short answer is compared with the typed text as it is: never read as HTML.
    assert blank_question.accepted_answers.get().text == XSS
    exported = export_gift(result.created)
    assert f"[plain]{XSS} is?" in exported  # Moodle shows [plain] text literally


def test_script_in_moodle_format_text_is_dropped_as_moodle_shows_it(sample_lesson):
    result = import_gift(f"Bees {XSS}dance? {{=yes ~no}}", sample_lesson)
    assert result.created[0].prompt == "Bees dance?"


# --- Moodle XML -----------------------------------------------------------------------------------

MOODLE_TYPES = {
    "multiple_choice": "multichoice",
    "who_holds_view": "multichoice",
    "vocabulary": "multichoice",
    "main_idea": "multichoice",
    "fill_blank": "shortanswer",
    "sequence": "ordering",
}


def test_moodle_xml_export_is_valid_and_keyed(all_questions):
    xml = export_moodle_xml(all_questions)
    root = ET.fromstring(xml)

    elements = root.findall("question")
    assert root.tag == "quiz"
    assert len(elements) == len(all_questions)
    for element, question in zip(elements, all_questions, strict=True):
        expected = MOODLE_TYPES.get(question.type)
        if question.type == "true_false":
            plain = [c.text for c in question.choices.all()] == ["True", "False"]
            expected = "truefalse" if plain else "multichoice"
        assert element.get("type") == expected
        assert element.findtext("questiontext/text") == question.prompt
        assert element.find("questiontext").get("format") == "plain_text"
        assert element.findtext("generalfeedback/text", "") == question.explanation
        fractions = [a.get("fraction") for a in element.findall("answer")]
        if question.is_single_answer:
            assert fractions.count("100") == 1
            assert set(fractions) == {"100", "0"}
            right = next(a for a in element.findall("answer") if a.get("fraction") == "100")
            key = next(c for c in question.choices.all() if c.is_correct)
            assert right.findtext("text").lower() == key.text.lower()
        if question.type == "fill_blank":
            answers = [a.findtext("text") for a in element.findall("answer")]
            assert set(fractions) == {"100"}
            assert answers[: question.accepted_answers.count()] == [
                a.text.replace("*", "\\*") for a in question.accepted_answers.all()
            ]
        if question.type == "sequence":
            items = [(a.findtext("text"), a.get("fraction")) for a in element.findall("answer")]
            assert items == [(c.text, str(c.position)) for c in question.choices.all()]
            assert element.findtext("selecttype") == "ALL"
            assert element.findtext("gradingtype") == "ALL_OR_NOTHING"
            assert element.findtext("selectcount") == str(len(items))
        tags = [t.findtext("text") for t in element.findall("tags/tag")]
        assert f"type:{question.type}" in tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert "<script>" not in xml
    assert "&amp; &lt;b&gt;bold&lt;/b&gt;" in xml


def test_moodle_xml_round_trip(all_questions, other_lesson):
    result = import_moodle_xml(export_moodle_xml(all_questions), other_lesson)

    assert result.errors == [] and result.refused == []
    imported = list(other_lesson.questions.with_options())
    # Moodle's ordering items carry feedback: the rationales come back too.
    assert [snapshot(q) for q in imported] == [snapshot(q) for q in all_questions]
    assert {q.origin for q in imported} == {"moodle_xml"}


def test_moodle_xml_import_reports_unsupported_questions_by_line(sample_lesson):
    xml = """<?xml version="1.0"?>
<quiz>
  <question type="category"><category><text>$course$/x</text></category></question>
  <question type="essay">
    <questiontext format="html"><text>Tell me</text></questiontext>
  </question>
  <question type="multichoice">
    <questiontext format="html"><text><![CDATA[<p>Pick &amp; choose</p>]]></text></questiontext>
    <answer fraction="50"><text>a</text></answer>
    <answer fraction="50"><text>b</text></answer>
  </question>
</quiz>"""
    result = import_moodle_xml(xml, sample_lesson)
    assert [e.line for e in result.refused] == [4, 7, 7]
    assert "essay questions are not supported" in result.refused[0].message
    assert Question.objects.count() == 0


def test_moodle_xml_refuses_entity_declarations(sample_lesson):
    xml = '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz></quiz>'
    result = import_moodle_xml(xml, sample_lesson)
    assert "DOCTYPE" in result.errors[0].message


def test_moodle_xml_import_of_moodle_html_text(sample_lesson):
    xml = """<quiz><question type="truefalse">
    <questiontext format="html">
      <text><![CDATA[<p>Bees &amp; wasps sting.</p>]]></text>
    </questiontext>
    <answer fraction="100"><text>true</text><feedback><text>Yes</text></feedback></answer>
    <answer fraction="0"><text>false</text><feedback><text>No</text></feedback></answer>
    </question></quiz>"""
    result = import_moodle_xml(xml, sample_lesson)
    assert result.ok
    question = result.created[0]
    assert question.prompt == "Bees & wasps sting."
    assert question.origin == "teacher"
    assert [(c.text, c.is_correct, c.rationale) for c in question.choices.all()] == [
        ("True", True, "Yes"),
        ("False", False, "No"),
    ]


# --- imports that check themselves --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_question_whose_evidence_is_not_in_the_lesson_is_a_flagged_draft(
    fmt, sample_lesson, client, teacher
):
    from quiz import scoping

    found = make_question(sample_lesson, "multiple_choice", paragraph=3, prompt="Found?")
    lost = make_question(sample_lesson, "multiple_choice", paragraph=2, prompt="Lost?", position=2)
    export, importer = (
        (export_gift, import_gift) if fmt == "gift" else (export_moodle_xml, import_moodle_xml)
    )
    text = export([found, lost])
    # The target lesson's text lacks the second question's sentence.
    target = make_sample_lesson(make_course("Other", "other"))
    target.paragraphs.filter(position=2).update(text="A paragraph that says something else.")
    result = importer(text, target, status="published")
    assert result.ok
    by_prompt = {q.prompt: q for q in result.created}
    assert not by_prompt["Found?"].evidence_missing
    assert by_prompt["Found?"].status == "published"
    assert by_prompt["Lost?"].evidence_missing and by_prompt["Lost?"].status == "draft"
    assert result.evidence_missing == 1
    assert "1 have an evidence sentence that is not in the lesson's text" in result.message(
        target.title
    )
    # The admin shows the flag and filters on it.
    client.force_login(teacher)
    with scoping.override():
        page = client.get("/admin/quiz/question/?evidence_missing__exact=1").content.decode()
    assert "Lost?" in page and "Found?" not in page
    assert "evidence not found" in page.lower()


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_question_already_in_the_lesson_is_skipped_and_counted(fmt, all_questions, other_lesson):
    export, importer = (
        (export_gift, import_gift) if fmt == "gift" else (export_moodle_xml, import_moodle_xml)
    )
    text = export(all_questions)
    first = importer(text, other_lesson)
    assert len(first.created) == len(all_questions) and first.skipped_duplicates == 0
    again = importer(text, other_lesson)
    assert again.ok and again.created == []
    assert again.skipped_duplicates == len(all_questions)
    assert other_lesson.questions.count() == len(all_questions)
    assert f"Skipped {len(all_questions)} already in the lesson" in again.message(
        other_lesson.title
    )


def test_a_question_differing_only_in_its_options_is_not_a_duplicate(sample_lesson):
    make_question(sample_lesson, prompt="Which insect dances?")
    result = import_gift(
        "Which insect dances? {=Bees ~Ants ~Wasps ~Flies}\n\n"
        "Which insect dances? {=Bees ~Ants ~Wasps ~Moths}",
        sample_lesson,
    )
    assert [q.prompt for q in result.created] == ["Which insect dances?"]
    assert result.skipped_duplicates == 1
