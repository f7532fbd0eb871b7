"""The evaluation: per-question flags, the RUBRIC's proxy measures, the report, the command.

The articles here are written for these tests. Command tests run the real generator, which other
work keeps changing, so they assert on structure (rows, figures), never on exact questions."""

from __future__ import annotations

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from quiz import authoring
from quiz.authoring import ArticleText, Candidate, ChoiceDraft
from quiz.authoring import evaluation as ev
from quiz.authoring.__main__ import main as authoring_main

LIBRARY = ArticleText(
    paragraphs=(
        "The town of Millbrook opened a new public library on Saturday after three years of "
        "building work. Mayor Sandra Okoye said the library would give young people a quiet "
        "place to study after school.",
        "The old library closed in 2019 because its roof leaked and its heating failed every "
        "winter. Volunteers led by Maria Santos kept a small reading room open in the community "
        "hall while the new building was designed.",
        "Architect Paul Brennan chose large windows so that the reading rooms would need little "
        "electric light during the day. Critics argued that the building cost far more than the "
        "council had first promised.",
        "Okoye rejected that complaint, saying the extra money paid for solar panels that would "
        "cut running costs for decades. Millbrook now plans to add a children's garden beside "
        "the library next spring.",
    ),
    title="library",
)
SAILOR = ArticleText(
    paragraphs=(
        "Lena Varga grew up in a fishing village and became the first woman from her country to "
        "sail alone around the world without stopping.",
        "Varga left from Lisbon in March and returned ten months later. Reporters asked Varga "
        "why she had done it, and she said that careful planning mattered more than strength.",
        "Her friend Tomas Reed helped her plan the route.",
    ),
)


def cand(
    prompt: str,
    key: str = "Paul Brennan",
    others: tuple[str, ...] = ("Maria Santos", "Sandra Okoye", "Tomas Reed"),
    *,
    type: str = "multiple_choice",
    position: int = 0,
    paragraph: int = 2,
    evidence: str = "Architect Paul Brennan chose large windows",
    article: ArticleText = LIBRARY,
) -> Candidate:
    """A question whose evidence sits at its true offsets in `article`."""
    choices = [ChoiceDraft(o, False, "not this one") for o in others]
    choices.insert(position, ChoiceDraft(key, True))
    start = article.paragraphs[paragraph].find(evidence)
    return Candidate(
        type=type, prompt=prompt, explanation="", skill="literal", difficulty=2,
        paragraph=paragraph, start=start, end=start + len(evidence), evidence=evidence,
        choices=choices,
    )  # fmt: skip


def true_false(statement: str, key: str = "False") -> Candidate:
    c = cand(statement, type="true_false")
    c.choices = [ChoiceDraft("True", key == "True"), ChoiceDraft("False", key == "False")]
    return c


def fill_blank(prompt: str, answer: str) -> Candidate:
    c = cand(prompt, type="fill_blank")
    c.choices, c.accepted_answers = [], [answer]
    return c


# -- words and runs -----------------------------------------------------------------------------


def test_words_ignore_case_punctuation_and_the_blank() -> None:
    assert ev.words("Okoye’s library, “quiet” _____ place!") == [
        "okoye",
        "library",
        "quiet",
        "place",
    ]


def test_longest_run_counts_consecutive_shared_words() -> None:
    hay = ev.words("the old library closed in 2019") + [None] + ev.words("because its roof leaked")
    assert ev.longest_run(ev.words("why was the old library closed in spring"), hay) == (5, 2)
    # A run never crosses the gap between two paragraphs.
    assert ev.longest_run(ev.words("closed in 2019 because its roof"), hay)[0] == 3


def test_stem_words_drop_quoted_options_and_split_at_the_blank() -> None:
    c = cand('Did "Paul Brennan" or "Maria Santos" choose the windows?')
    assert ev.stem_words(c) == ["did", ev._GAP, "or", ev._GAP, "choose", "the", "windows"]
    blank = fill_blank("volunteers led by _____ kept a small reading room open", "Maria Santos")
    # "led by" + "kept a small..." would be 8 words only if the blank were ignored entirely.
    assert ev.shared_run(LIBRARY, blank)[0] == 6


# -- flags: each fires on a bad example and stays quiet on a good one ------------------------------


def test_verbatim_stem() -> None:
    copied = cand(
        "Who chose large windows so that the reading rooms would need little electric light?"
    )
    assert ev.verbatim_stem(LIBRARY, copied).startswith("shares 13 words in a row")
    reworded = cand("Who designed the building so that it needs less lighting in daytime?")
    assert ev.verbatim_stem(LIBRARY, reworded) == ""
    nine = cand("Which architect chose large windows so that the reading rooms would work?")
    assert ev.shared_run(LIBRARY, nine)[0] == 9 and ev.verbatim_stem(LIBRARY, nine) == ""


def test_copied_true_false() -> None:
    copied = true_false(
        "The old library closed in 2019 because its roof leaked and its heating failed.", "True"
    )
    assert ev.copied_true_false(LIBRARY, copied).startswith("copies 14 of its 14 words")
    name_swapped = true_false(
        "Volunteers led by Paul Brennan kept a small reading room open in the community hall "
        "while the new building was designed."
    )
    assert ev.copied_true_false(LIBRARY, name_swapped) == (
        'copies a sentence with "Paul Brennan" swapped for "Maria Santos"'
    )
    number_swapped = true_false(
        "The old library closed in 2015 because its roof leaked and its heating failed every "
        "winter."
    )
    assert "swapped" in ev.copied_true_false(LIBRARY, number_swapped)
    reworded = true_false("A leaking roof and a broken heating system shut the old library.")
    assert ev.copied_true_false(LIBRARY, reworded) == ""
    # A lowercase word changed is a reworded statement, not a name swap.
    changed = true_false(
        "Volunteers led by Maria Santos kept a large reading room open in the community hall "
        "while the new building was planned."
    )
    assert ev.copied_true_false(LIBRARY, changed) == ""
    # Only True/False questions are judged by this rule.
    assert ev.copied_true_false(LIBRARY, cand(copied.prompt)) == ""


def test_repeated_key_uses_normalised_answers_and_skips_true_false() -> None:
    items = [
        cand("Who designed the windows?", key="Paul Brennan"),
        cand("Who spoke for the plan?", key="Sandra Okoye", others=("Paul Brennan", "X", "Y")),
        fill_blank("The library was designed by _____.", "paul brennan"),
        true_false("The library opened on Sunday."),
        true_false("The library has a garden."),
    ]
    found = ev.repeated_keys(items)
    assert set(found) == {0, 2}
    assert found[0] == 'key "Paul Brennan" is also the key of Q3'
    # Aliases of one country count as the same key.
    assert set(ev.repeated_keys([cand("a?", key="Iran"), cand("b?", key="Tehran")])) == {0, 1}


def test_key_longest_is_strict_and_only_for_choice_questions() -> None:
    long_key = cand(
        "Why?", key="Because the roof leaked badly", others=("It was old", "Cost", "No")
    )
    assert ev.key_longest(long_key).startswith("key is the longest option (29 characters")
    tie = cand("Who?", key="Paul Brennan", others=("Maria Santos", "Okoye", "Reed"))
    assert ev.key_longest(tie) == ""
    assert ev.key_longest(fill_blank("The _____ leaked.", "roof of the old library")) == ""


@pytest.mark.parametrize(
    "stem",
    [
        "He said the library would help young people. Who is he?",
        "This decision angered which group?",
        "Why did they keep a reading room open?",
        "What did the critics say about the incident?",
        "That complaint was rejected by whom?",
        "Who complained after that decision?",
        'Which option completes the sentence? "It rejected _____ with a smile."',
    ],
)
def test_unresolved_reference_fires(stem: str) -> None:
    assert ev.unresolved_reference(cand(stem)) != ""


@pytest.mark.parametrize(
    "stem",
    [
        "Why did critics say the new library cost too much?",
        "Which statement best sums up this article?",
        "Put these events in chronological order, earliest first.",
        "Who said that prices for the building rose?",
        "According to Sandra Okoye, why was the extra money worth it?",
        "What did the critics say about the incident of the leaking roof?",
    ],
)
def test_unresolved_reference_stays_quiet(stem: str) -> None:
    assert ev.unresolved_reference(cand(stem)) == ""


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Who said that that the library would open?", 'repeated word "that that"'),
        ("Who saw the the windows?", 'repeated word "the the"'),
        ("Was it an library or a school?", '"an library"'),
        ("Who planned a extension?", '"a extension"'),
        ("Which town is in the Spain?", '"the Spain" (no "the" before this country)'),
        ("Did the Brazil's team win?", '"the Brazil\'s" (no "the" before this country)'),
        ("which architect chose the windows?", "starts with a lowercase letter"),
        ('Who said "the roof leaked?', "unbalanced quotes or brackets"),
        ("Who paid (for the panels?", "unbalanced quotes or brackets"),
        ("How many books did 450 0 readers borrow?", 'number with a space "450 0"'),
    ],
)
def test_grammar_problems_fire(text: str, found: str) -> None:
    assert found in ev.grammar_problems(text, stem=True)


@pytest.mark.parametrize(
    "text",
    [
        "Who had had enough of the old library?",
        "Was it an hour, a university, an MP, a UN agency, an 8% rise or a European plan?",
        "Which towns in the Netherlands, the Philippines, the US and the UK have libraries?",
        "Who opposed the Iran deal, and who visited the Jordan Valley?",
        "About 450 000 books and an 11-year-old reader: is that a one-off?",
        "Which option completes “A new library opened in (central) Millbrook”?",
        "_____ chose large windows.",
    ],
)
def test_grammar_problems_stay_quiet(text: str) -> None:
    assert ev.grammar_problems(text, stem=True) == []


def test_grammar_flag_reads_options_and_kept_capitals() -> None:
    assert ev.grammar(cand("Who chose the windows?", others=("the the mayor", "X", "Y")))
    # "Critics" opened the article's sentence; mid-stem it keeps a capital it should have lost.
    kept = cand("Why did Critics complain about the building?")
    assert ev.grammar(kept, LIBRARY) == '"Critics" capitalised mid-sentence'
    assert ev.grammar(cand("Why did critics complain about the building?"), LIBRARY) == ""
    # A name the article capitalises mid-sentence is a name.
    assert ev.grammar(cand("Why did Mayor Okoye defend the cost?"), LIBRARY) == ""


def test_key_not_in_article_terms() -> None:
    foreign = cand("What is new?", key="Quantum computing laboratories", others=("A", "B", "C"))
    assert ev.key_not_in_article_terms(LIBRARY, foreign) == (
        "only 0% of the key's content words appear in the article"
    )
    reworded = cand("Why did it close?", key="Water came in through the roof", others=("A", "B"))
    assert ev.key_not_in_article_terms(LIBRARY, reworded) == ""  # "roof" is the article's
    inflected = cand("What happened?", key="Volunteer leading", others=("A", "B"))
    assert ev.key_not_in_article_terms(LIBRARY, inflected) == ""  # lemmas match
    vocabulary = cand("What does 'leaked' mean?", key="let liquid escape", type="vocabulary")
    assert ev.key_not_in_article_terms(LIBRARY, vocabulary) == ""
    alias = cand("Which country?", key="Iran", others=("A", "B"))
    assert ev.key_not_in_article_terms(ArticleText(("Tehran said no.",)), alias) == ""


def test_guessable_subject() -> None:
    subject = cand("Who sailed alone?", key="Lena Varga", others=("Tomas Reed", "Ana", "Bo"))
    assert "most-mentioned name (3 mentions)" in ev.guessable_subject(SAILOR, subject)
    surname = fill_blank("_____ left from Lisbon.", "Varga")
    assert ev.guessable_subject(SAILOR, surname) != ""
    other = cand("Who helped?", key="Tomas Reed", others=("Lena Varga", "Ana Lopes", "Bo Kim"))
    assert ev.guessable_subject(SAILOR, other) == ""
    only_name = cand(
        "Where did the voyage start?",
        key="Lisbon",
        others=("a fishing village", "the open sea", "her home port"),
    )
    assert ev.guessable_subject(SAILOR, only_name) == (
        "the key is the only option that is a capitalised name"
    )
    # True/False keys are never "guessable subjects".
    assert ev.guessable_subject(SAILOR, true_false("Lena Varga sailed alone.")) == ""


def test_evidence_not_found() -> None:
    good = cand("Who chose the windows?")
    assert ev.evidence_not_found(LIBRARY, good) == ""
    good.start += 1
    assert ev.evidence_not_found(LIBRARY, good) != ""


# -- measures --------------------------------------------------------------------------------


def test_asks_reasoning() -> None:
    for stem in (
        "Why did the old library close?",
        "How did volunteers keep a room open?",
        "What led the council to build a new library?",
        "What happened as a result of the leaking roof?",
        "What does Mayor Sandra Okoye think the library will do?",
        "What did the critics argue?",
        "According to Okoye, why was the money well spent?",
    ):
        assert ev.asks_reasoning(stem), stem
    for stem in ("What is the town called?", "Who is the architect?", "Whyte said so."):
        assert not ev.asks_reasoning(stem), stem


def q(n: int, c: Candidate, run: int, flags: dict | None = None) -> ev.QuestionReport:
    return ev.QuestionReport(n, c, run, flags or {})


def by_name(ms: list[ev.Measure]) -> dict[str, ev.Measure]:
    return {m.name.split(" (")[0]: m for m in ms}


def test_measures_arithmetic() -> None:
    why = cand("Why did it close?", "Because the roof leaked badly", ("It was too old", "A", "B"))
    questions = [
        # 4 options: 2 of 4+ words; key "Because the roof leaked badly" is the longest, at A.
        q(1, why, 2),
        # Key at C, not longest.
        q(2, cand("Who designed it?", position=2), 4, {"repeated_key": "…"}),
        q(3, true_false("The library opened on Saturday."), 10),
        q(4, fill_blank("The _____ leaked.", "roof"), 12, {"repeated_key": "…"}),
    ]  # fmt: skip
    m = by_name(ev.measures(questions))
    median = m["median longest run a stem shares with the article"]
    assert median.value == 7 and median.shown == "7 words" and median.met is False
    verbatim = m["stems sharing a run of 10+ words"]
    assert verbatim.value == 0.5 and verbatim.shown == "50% (2/4)" and verbatim.met is False
    clauses = m["options"]
    assert clauses.shown == "25% (2/8)" and clauses.met is False
    reasoning = m["stems beginning Why / How / What led / What does X think"]
    assert reasoning.shown == "25% (1/4)" and reasoning.met is True
    repeats = m["questions whose key repeats another's"]
    assert repeats.value == 2 and repeats.met is False
    longest = m["key is the longest option"]
    assert longest.shown == "50% (1/2)" and longest.met is False
    position = m["key position"]
    assert position.shown == "A 1 B 0 C 1 D 0" and position.met is None
    assert ev._met(position) == "too few to judge (< 8)"


def test_key_position_is_judged_from_eight_choice_questions() -> None:
    spread = [q(i, cand("Who?", position=i % 4), 0) for i in range(8)]
    assert by_name(ev.measures(spread))["key position"].met is True
    stuck = [q(i, cand("Who?", position=0 if i < 4 else i % 3 + 1), 0) for i in range(8)]
    position = by_name(ev.measures(stuck))["key position"]
    assert position.value == 0.5 and position.met is False


def test_measures_of_nothing_are_not_judged() -> None:
    assert all(m.met is None or m.name.startswith("questions whose") for m in ev.measures([]))


# -- the report -----------------------------------------------------------------------------


def test_evaluate_collects_flags_runs_and_coverage() -> None:
    items = [
        cand("Who chose large windows so that the reading rooms would need little electric light?"),
        fill_blank("The library was designed by _____.", "Paul Brennan"),
        true_false("Critics argued that the building cost far more than the council had promised."),
    ]
    items[2].paragraph = 2
    report = ev.evaluate(LIBRARY, items, name="library")
    assert [r.n for r in report.questions] == [1, 2, 3]
    assert report.questions[0].codes == ["verbatim_stem", "repeated_key"]  # in FLAGS order
    assert "repeated_key" in report.questions[1].codes
    assert "copied_true_false" in report.questions[2].codes
    assert report.questions[0].longest_run == 13 and report.questions[0].verbatim
    assert report.paragraphs == 4 and report.covered == {2}


def test_report_prints_figures_aims_and_flags_but_never_a_verdict() -> None:
    items = [cand("Who chose large windows so that the reading rooms would need little light?")]
    report = ev.evaluate(LIBRARY, items, name="library")
    text = ev.format_report(report)
    assert text.startswith("== library: 1 questions, 1/4 paragraphs covered")
    assert "aim ≤ 15%" in text and "not met" in text and " met" in text
    assert "Q1 [multiple_choice]" in text and "verbatim_stem: shares 11 words" in text
    overall = ev.format_overall([report, ev.refused("german", "Questions can only be ...")])
    assert "== Overall: 2 articles (1 refused), 1 questions, 1/4 paragraphs covered" in overall
    assert overall.endswith(ev.CLOSING) and "judgement by the RUBRIC" in overall
    for verdict in ("PASSED", "FAILED", "Evaluation:"):
        assert verdict not in text and verdict not in overall
    assert (
        ev.format_report(ev.refused("german", "Not English.")) == "== german: refused: Not English."
    )


def test_csv_rows_hold_every_measure_and_flag() -> None:
    items = [cand("Who chose the windows?", position=1), true_false("The library opened.")]
    rows = ev.csv_rows([ev.evaluate(LIBRARY, items, name="library")])
    assert len(rows) == 2 and all(set(r) == set(ev.CSV_FIELDS) for r in rows)
    first = rows[0]
    assert first["article"] == "library" and first["n"] == 1 and first["key"] == "Paul Brennan"
    assert first["options"] == "Maria Santos | Paul Brennan | Sandra Okoye | Tomas Reed"
    assert first["key_position"] == "B" and first["clause_options"] == 0
    assert rows[1]["key_position"] == "" and rows[1]["verbatim_stem"] == 0
    assert set(ev.FLAGS) <= set(ev.CSV_FIELDS)


# -- the command and python -m quiz.authoring ---------------------------------------------------

ARTICLE_ONE = """The river Alder flooded the lower town twice last winter, and shops along the quay
closed for weeks while the water drained away.

Engineers from the regional water board said the old stone walls were too low for the storms
that now arrive each year. They proposed a new barrier of steel gates that can be raised in a
few hours when the forecast warns of a surge.

Shop owners welcomed the plan but asked who would pay. The board said the national government
would cover most of the cost, while the town would pay for the upkeep of the gates.

Some residents doubted the barrier would be ready in time. Work is due to begin in the spring
and to finish before the winter of the following year.
"""
ARTICLE_TWO = """Honey badgers are small animals with a large reputation. They live across Africa
and parts of Asia, and they will attack animals much bigger than themselves.

Their skin is thick and loose, so a predator that bites one finds it hard to hold on. The badger
can twist inside its own skin and bite back.

Researchers who followed badgers in the Kalahari found that they dig up most of their food,
from scorpions to roots, and that a single badger may walk more than thirty kilometres in a
night.
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "flood-barrier.txt").write_text(ARTICLE_ONE, encoding="utf-8")
    (tmp_path / "honey-badgers.txt").write_text(ARTICLE_TWO, encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    return tmp_path


def test_command_on_a_folder_prints_per_article_and_overall_figures(folder, capsys) -> None:
    out_csv, out_json = folder / "out.csv", folder / "out.json"
    call_command(
        "evaluate_questions", "--articles", str(folder), "--csv", str(out_csv),
        "--json", str(out_json),
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "== flood-barrier: " in out and "== honey-badgers: " in out and "notes" not in out
    assert "== Overall: 2 articles (0 refused)" in out
    assert "median longest run a stem shares with the article" in out and "aim ≤ 6 words" in out
    assert "PASSED" not in out and "FAILED" not in out
    assert ev.CLOSING in out
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    data = json.loads(out_json.read_text(encoding="utf-8"))
    # One row per question: as many as the report counted.
    assert len(rows) == data["overall"]["questions"] > 0
    assert f"{len(rows)} questions" in out
    assert {r["article"] for r in rows} <= {"flood-barrier", "honey-badgers"}
    assert list(rows[0]) == ev.CSV_FIELDS
    assert [a["article"] for a in data["articles"]] == ["flood-barrier", "honey-badgers"]


def test_command_reports_a_refused_article_and_goes_on(folder, capsys, monkeypatch) -> None:
    real = authoring.generate

    def generate(article):
        if article.title == "honey-badgers":
            raise authoring.UnsupportedLanguage()
        return real(article)

    monkeypatch.setattr(authoring, "generate", generate)
    call_command("evaluate_questions", "--articles", str(folder))
    out = capsys.readouterr().out
    assert "== honey-badgers: refused: Questions can only be generated for English articles." in out
    assert "== flood-barrier: " in out and "(1 refused)" in out


def test_command_refuses_a_folder_it_cannot_evaluate(tmp_path) -> None:
    with pytest.raises(CommandError, match=r"^no \.txt files in ") as empty:
        call_command("evaluate_questions", "--articles", str(tmp_path))
    assert "\n" not in str(empty.value)
    with pytest.raises(CommandError, match="^cannot read folder ") as missing:
        call_command("evaluate_questions", "--articles", str(tmp_path / "nope"))
    assert "\n" not in str(missing.value)


def test_python_m_quiz_authoring_prints_questions_then_the_report(tmp_path, capsys) -> None:
    path = tmp_path / "flood-barrier.txt"
    path.write_text(ARTICLE_ONE, encoding="utf-8")
    assert authoring_main([str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [") and "\n== flood-barrier: " in out
    assert out.index("== flood-barrier") > out.index("why:") and ev.CLOSING in out
    assert "PASSED" not in out
