"""The clause-level builders (why, what a speaker says, the point of a paragraph) and the
syntax they lean on, on small texts written for these tests."""

from __future__ import annotations

import pytest

from quiz.authoring import ArticleText, UnsupportedLanguage, generate, syntax
from quiz.authoring.builders import cause, paragraph_point, speaker_view
from quiz.authoring.checks import grammar_problem, longest_shared_run, problems
from quiz.authoring.document import Document
from quiz.authoring.statements import as_option

# A made-up local news story: causes, speakers and paragraphs with a point each.
STORY = (
    "The town of Millbrook closed its only swimming pool in March because the roof had become "
    "unsafe. Engineers found that rain had rotted the wooden beams. Families now drive to the "
    "next town to swim.",
    "The council voted to build a new pool on the site of the old bus depot. The project will "
    "cost four million pounds. Work is due to start next spring.",
    "Mayor Alice Brandt said that the new pool would open within two years. She promised a "
    "larger learners' pool for children. Local schools welcomed the plan.",
    "Shopkeepers on the high street were less pleased. Tom Ellis, who runs a bakery, argued "
    "that the money should repair the town's roads first. Several shops lost customers during "
    "the winter roadworks.",
    "The swimming club kept training in a hired hall, so its members stayed fit through the "
    "winter. The club's coach, Priya Nair, believes that the new pool will bring back "
    "competitions to Millbrook.",
    "Heavy lorries use the high street every day. Residents have complained about the noise "
    "for years. Inspector Mark Owen said that the lorries were a danger to pupils. The "
    "council plans a bypass, but no date has been set.",
)


def doc(*paragraphs: str) -> Document:
    return Document(ArticleText(paragraphs=tuple(paragraphs)))


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("The council closed the bridge", "Why did the council close the bridge?"),
        (
            "The company quickly closed its factory",
            "Why did the company quickly close its factory?",
        ),
        ("Prices are rising", "Why are prices rising?"),
        ("The mayor will resign next month", "Why will the mayor resign next month?"),
        ("Congress didn't pass the bill", "Why did Congress not pass the bill?"),
        ("I left my job in 2015", "Why did the author leave their job in 2015?"),
        ("I love this city", "Why does the author love this city?"),
        ("The club has moved its training", "Why has the club moved its training?"),
        ("Local schools welcomed the plan", "Why did local schools welcome the plan?"),
    ],
)
def test_question_inverts_subject_and_auxiliary(clause: str, expected: str) -> None:
    parsed = syntax.parse_clause(clause)
    assert parsed is not None
    assert syntax.question(parsed) == expected


@pytest.mark.parametrize(
    "clause",
    [
        "He closed the bridge",  # who is "he"?
        "Its members stayed fit",
        "Residents who live nearby complained",  # a relative clause in the subject
        "In 2015 the city grew",  # a fronted phrase, not a subject
        "The difference is that men are quieter",  # a frame, not an event
        "Is it raining?",
    ],
)
def test_question_refuses_rather_than_guesses(clause: str) -> None:
    parsed = syntax.parse_clause(clause)
    assert parsed is None or syntax.question(parsed) is None


def test_options_are_whole_clauses() -> None:
    assert as_option("engineers found that rain had rotted the beams") == (
        "Engineers found that rain had rotted the beams."
    )
    assert as_option("If the roof falls in") is None  # a subordinate clause alone
    assert as_option("This was the end") is None  # leans on the sentence before
    assert as_option("I was tired of the long commute") == (
        "The author was tired of the long commute."
    )


def test_cause_asks_why_with_the_reason_as_key() -> None:
    d = doc(*STORY)
    items = cause.build(d)
    pool = next(c for c in items if "pool" in c.prompt)
    assert pool.prompt == "Why did the town of Millbrook close its only swimming pool in March?"
    assert pool.key == "The roof had become unsafe."
    assert pool.kind == "cause" and pool.skill == "inference"
    assert len(pool.choices) == 4 and sum(ch.correct for ch in pool.choices) == 1
    # Wrong options are other statements of the article, not the reason in other words.
    body = " ".join(STORY)
    for wrong in pool.distractors:
        assert wrong.text.rstrip(".") in body or wrong.text.startswith("The author")
        assert "roof" not in wrong.text
    assert problems(d.article, pool) == []


def test_cause_never_offers_a_neighbouring_explanation() -> None:
    pool = next(c for c in cause.build(doc(*STORY)) if "pool" in c.prompt)
    # "Engineers found that rain had rotted the wooden beams" also explains the closure.
    assert all("beams" not in ch.text for ch in pool.distractors)


def test_cause_skips_an_effect_whose_subject_needs_the_sentence_before() -> None:
    # "..., so its members stayed fit": "its members" cannot be asked about on its own.
    assert all("its members" not in c.prompt for c in cause.build(doc(*STORY)))


def test_speaker_view_options_are_views_and_the_key_is_the_speakers() -> None:
    d = doc(*STORY)
    items = {c.prompt: c for c in speaker_view.build(d)}
    ellis = items["What did Tom Ellis argue?"]
    assert ellis.key == "The money should repair the town's roads first."
    assert ellis.kind == "speaker_view"
    # Other people's views are offered first: the mayor's and the coach's.
    texts = {ch.text for ch in ellis.distractors}
    assert "The new pool would open within two years." in texts
    assert all("Ellis" not in t for t in texts)
    assert problems(d.article, ellis) == []


def test_paragraph_point_offers_points_of_other_paragraphs() -> None:
    d = doc(*STORY)
    for c in paragraph_point.build(d):
        assert c.prompt.startswith("Which statement best sums up paragraph ")
        assert c.kind == "paragraph_point"
        others = list(c.distractors)
        assert len(others) == 3
        assert all(ch.text.rstrip(".") not in STORY[c.paragraph] for ch in others)


def test_default_set_passes_the_rubric_filters() -> None:
    article = ArticleText(paragraphs=STORY)
    items = generate(article)
    assert len(items) >= 3
    keys = [c.key.lower() for c in items]
    assert len(keys) == len(set(keys)), "the same key twice in one quiz"
    assert {c.type for c in items}.isdisjoint({"true_false", "fill_blank"})
    for c in items:
        assert longest_shared_run(c.prompt, article) < 10, c.prompt
        assert not grammar_problem(c.prompt)
        assert c.kind
    assert any(c.prompt.startswith(("Why", "What did", "What does")) for c in items)


def test_articles_not_in_english_are_refused_with_one_line() -> None:
    french = ArticleText(
        paragraphs=(
            "La mairie a fermé la piscine municipale au mois de mars, car le toit était devenu "
            "dangereux pour les nageurs et le personnel.",
            "Le conseil municipal a voté la construction d'un nouveau bassin sur le site de "
            "l'ancien dépôt de bus, pour un coût de quatre millions d'euros.",
        )
    )
    with pytest.raises(UnsupportedLanguage) as caught:
        generate(french)
    assert str(caught.value) == "Questions can only be generated for English articles."
    spanish = ArticleText(
        paragraphs=(
            "El ayuntamiento cerró la piscina municipal en marzo porque el techo se había vuelto "
            "peligroso para los nadadores y para los trabajadores del centro deportivo.",
        )
    )
    with pytest.raises(UnsupportedLanguage):
        generate(spanish)


def test_stem_run_counts_words_in_a_row() -> None:
    article = ArticleText(paragraphs=("The quick brown fox jumps over the lazy dog today.",))
    assert longest_shared_run("Why does the quick brown fox jump?", article) == 4
    assert longest_shared_run("Which animal sleeps?", article) == 0


def test_grammar_slips_are_caught() -> None:
    assert grammar_problem("Who said that that the plan failed?")
    assert grammar_problem("It cost 450 0 euros.")
    assert grammar_problem("He ate a apple.")
    assert not grammar_problem("She had had enough of an hour-long wait.")
