"""Answer normalisation, typed-answer grading, the country alias table and the alternatives a
fill-in question accepts."""

from __future__ import annotations

import pytest

from quiz.authoring import gazetteer
from quiz.authoring.answers import normalize, same_answer, typed_answer_matches, typed_form
from quiz.authoring.checks import accepted_alternatives


def test_normalize_for_the_generator_stays_lenient() -> None:
    assert normalize("  The “Soft   Flank”! ") == "soft flank"
    assert normalize("An apple") == "apple"
    assert normalize("Iran’s") == "iran"  # the generator's checks treat possessives as one
    assert normalize("Nagorno-Karabakh") == "nagorno karabakh"
    assert normalize("ＡＢＣ") == "abc"  # NFKC


def test_typed_form() -> None:
    assert typed_form("  The “Soft   Flank”! ") == "soft flank"
    assert typed_form("Téhran") == typed_form("TEHRAN") == "tehran"
    assert typed_form("Tehran’s") == "tehran s"  # the possessive stays another answer
    assert typed_form("(Nagorno-Karabakh)") == "nagorno karabakh"
    assert typed_form("the the end") == "the end"  # one article only
    assert typed_form("U.S.A.") == typed_form("USA") == "usa"
    assert typed_form("1,000") == "1000"
    assert typed_form("50 %") == "50%"
    assert typed_form("ＡＢＣ") == "abc"


def test_alias_table_makes_capital_country_and_demonym_one_place() -> None:
    for form in ("Iran", "Tehran", "Iranian", "Iranians", "Persia"):
        assert gazetteer.country_of(form).name == "Iran"
    assert gazetteer.lookup("Tehran")[1] == "capital"
    assert gazetteer.lookup("Iranian")[1] == "demonym"
    assert gazetteer.same_place("Baku", "Azerbaijani")
    assert not gazetteer.same_place("Iran", "Iraq")
    assert gazetteer.country_of("Atlantis") is None


def test_names_of_names_only_the_same_thing() -> None:
    assert gazetteer.names_of("Iran") == ("Iran", "Persia", "Islamic Republic of Iran")
    us = gazetteer.names_of("the United States of America")
    assert {"United States", "US", "USA", "United States of America"} <= set(us)
    assert "Washington" not in us and "American" not in us
    assert gazetteer.names_of("Tehran") == ("Tehran", "Teheran")  # one city, two spellings
    assert gazetteer.names_of("Jerusalem") == ("Jerusalem",)  # not Tel Aviv, its row-mate
    assert gazetteer.names_of("Moscow") == ("Moscow",)  # not the Kremlin
    assert gazetteer.names_of("Iranian") == ()
    assert gazetteer.names_of("Atlantis") == ()


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("Iran", ["Iran", "Persia", "Islamic Republic of Iran"]),
        ("Tehran", ["Tehran", "Teheran"]),
        ("Iranian", ["Iranian"]),
        ("US", ["US", "United States", "United States of America", "USA", "America"]),
        ("us", ["us"]),  # the pronoun is not the country
        ("parliament", ["parliament"]),
    ],
)
def test_accepted_alternatives(answer: str, expected: list[str]) -> None:
    assert accepted_alternatives(answer) == expected


def test_generated_alternatives_for_iran_have_no_capital_or_demonym() -> None:
    alternatives = accepted_alternatives("Iran")
    iran = gazetteer.country_of("Iran")
    assert not set(alternatives) & set(iran.capitals + iran.demonyms)
    assert not typed_answer_matches("Iranian", alternatives)
    assert not typed_answer_matches("Tehran", alternatives)
    assert typed_answer_matches("persia", alternatives)
    assert not typed_answer_matches("Iran", accepted_alternatives("Tehran"))


@pytest.mark.parametrize(
    "given, accepted",
    [
        ("tehran", ["Tehran"]),  # case
        ("TEHRAN", ["Tehran"]),
        (" Tehran. ", ["Tehran"]),  # punctuation and spaces
        ("the Tehran", ["Tehran"]),  # one leading article
        ("Téhran", ["Tehran"]),  # accents
        ("Tehran", ["Téhran"]),
        ("Tel-Aviv", ["Tel Aviv"]),  # hyphen
        ("“Tel Aviv”", ["Tel Aviv"]),  # quotes
        ("the Soviet Union", ["Soviet Union"]),
        ("U.S.", ["US"]),
        ("1000", ["1,000"]),
        ("Iran", ["Tehran", "Iran"]),  # a listed alternative
        ("parliment", ["parliament"]),  # one typo, 10 letters
        ("parlament", ["parliament"]),  # also one edit (a dropped "i")
        ("Azerbajan", ["Azerbaijan"]),
        ("Nagorno Karabak", ["Nagorno-Karabakh"]),
        ("zooxanthelae", ["zooxanthellae"]),
        ("book keeper", ["bookkeeper"]),  # a split word is one typo
    ],
)
def test_typed_answer_accepts(given: str, accepted: list[str]) -> None:
    assert typed_answer_matches(given, accepted)


@pytest.mark.parametrize(
    "given, accepted",
    [
        ("", ["Iran"]),
        ("   ", ["Iran"]),
        ("Tehran", [""]),
        ("Tehran's", ["Tehran"]),  # no possessive stripping
        ("Azerbaijan's", ["Azerbaijan"]),  # even in a long answer: two edits
        ("Tehrn", ["Tehran"]),  # a typo, but the answer is short
        ("Teheran", ["Tehran"]),  # a real spelling, but not listed
        ("Iranian", ["Iran"]),  # demonym
        ("Iran", ["Tehran"]),  # country of the capital
        ("Tehran", ["Iran"]),
        ("Iraq", ["Iran"]),
        ("corals", ["coral"]),  # no singular/plural
        ("parliaments", ["parliament"]),  # one edit, but a real different word
        ("reservation", ["preservation"]),
        ("Iraq deal", ["Iran deal"]),  # one edit, but another gazetteer entry
        ("Azerbaijani", ["Azerbaijan"]),
        ("parlimant", ["parliament"]),  # two typos
        ("2021", ["2020"]),  # numbers are never typos
        ("50", ["50%"]),
        ("35", ["3.5"]),
        ("twelve", ["12"]),  # not listed
        ("TelAviv", ["Tel Aviv"]),  # one edit, under 8 letters
    ],
)
def test_typed_answer_rejects(given: str, accepted: list[str]) -> None:
    assert not typed_answer_matches(given, accepted)


def test_same_answer_stays_lenient_for_the_generator() -> None:
    assert same_answer("Tehran", "Iran")
    assert same_answer("the reefs", "Reef")
    assert same_answer("Iran's", "Iran")
    assert not same_answer("Iran", "Iraq")
    assert not same_answer("", "")
