"""Answer normalisation, typed-answer matching and the country alias table."""

from __future__ import annotations

import pytest

from quiz.authoring import gazetteer
from quiz.authoring.answers import normalize, same_answer, typed_answer_matches


def test_normalize() -> None:
    assert normalize("  The “Soft   Flank”! ") == "soft flank"
    assert normalize("An apple") == "apple"
    assert normalize("Iran’s") == "iran"
    assert normalize("Nagorno-Karabakh") == "nagorno karabakh"
    assert normalize("ＡＢＣ") == "abc"  # NFKC


def test_alias_table_makes_capital_country_and_demonym_one_answer() -> None:
    for form in ("Iran", "Tehran", "Iranian", "Iranians", "Persia"):
        assert gazetteer.country_of(form).name == "Iran"
    assert gazetteer.lookup("Tehran")[1] == "capital"
    assert gazetteer.lookup("Iranian")[1] == "demonym"
    assert gazetteer.same_place("Baku", "Azerbaijani")
    assert not gazetteer.same_place("Iran", "Iraq")
    assert gazetteer.country_of("Atlantis") is None


@pytest.mark.parametrize(
    "given, accepted",
    [
        ("tehran", ["Tehran"]),  # case
        ("Tehran.", ["Tehran"]),  # punctuation
        ("the Soviet Union", ["Soviet Union"]),  # article
        ("corals", ["coral"]),  # plural
        ("polyp", ["polyps"]),  # singular
        ("Azerbaijn", ["Azerbaijan"]),  # one typo
        ("Nagorno Karabak", ["Nagorno-Karabakh"]),  # one typo, long term
        ("zooxanthelae", ["zooxanthellae"]),
        ("Iran", ["Tehran"]),  # alias
        ("Iranian", ["Iran"]),
        ("twelve", ["12"]),
    ],
)
def test_typed_answer_accepts(given: str, accepted: list[str]) -> None:
    assert typed_answer_matches(given, accepted)


@pytest.mark.parametrize(
    "given, accepted",
    [
        ("", ["Iran"]),
        ("   ", ["Iran"]),
        ("Iraq", ["Iran"]),  # one edit away, but a different country
        ("Iraq", ["Tehran"]),
        ("Turkey", ["Iran"]),
        ("moral", ["coral"]),  # one edit away, but a real different word
        ("2021", ["2020"]),  # numbers are never typos
        ("Tehr", ["Tehran"]),  # two edits on a short word
        ("cat", ["car"]),  # too short for typo tolerance
    ],
)
def test_typed_answer_rejects(given: str, accepted: list[str]) -> None:
    assert not typed_answer_matches(given, accepted)


def test_same_answer() -> None:
    assert same_answer("Tehran", "Iran")
    assert same_answer("the reefs", "Reef")
    assert not same_answer("Iran", "Iraq")
    assert not same_answer("", "")
