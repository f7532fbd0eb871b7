"""Quality metrics and pass/fail bars for a generated question set."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from rapidfuzz import fuzz

from . import checks
from .models import CHOICE_TYPES, ArticleText, Candidate
from .ranking import NEAR_DUPLICATE, key_is_longest

COVERAGE_BAR = 0.70
KEY_LONGEST_BAR = 0.40
KEY_POSITION_BAR = 0.60  # no single position may hold more than this share of keys


def _extractive(c: Candidate) -> bool:
    if c.type == "true_false":
        return c.key == "True"
    return c.type in ("multiple_choice", "fill_blank", "who_holds_view", "vocabulary")


def evaluate(article: ArticleText, items: list[Candidate]) -> dict:
    n = len(items)
    by_type = Counter(c.type for c in items)
    evidence_ok = sum(checks.evidence_ok(article, c) for c in items)
    extractive = [c for c in items if _extractive(c)]
    grounded = sum(checks.key_grounded(c) for c in extractive)
    distractors_in_evidence = sum(len(checks.distractors_in_evidence(c)) for c in items)
    duplicate_options = sum(checks.duplicate_options(c) for c in items)
    alias_options = sum(len(checks.aliases_of_key(c)) for c in items)
    near_duplicates = [
        (a.prompt, b.prompt)
        for a, b in combinations(items, 2)
        if fuzz.ratio(a.prompt, b.prompt) >= NEAR_DUPLICATE
    ]
    repeated_facts = sum(v - 1 for v in Counter(c.fact for c in items).values() if v > 1)
    paragraphs = len(article.paragraphs)
    covered = len({c.paragraph for c in items if checks.evidence_ok(article, c)})
    reachable = min(paragraphs, n) or 1
    choice_items = [c for c in items if c.type in CHOICE_TYPES]
    longest = sum(key_is_longest(c) for c in choice_items)
    positions = Counter(
        next(i for i, ch in enumerate(c.choices) if ch.correct) for c in choice_items
    )
    form = {
        "structure": sum(bool(checks.structure_problems(c)) for c in items),
        "gives_away": sum(checks.gives_away(c) for c in items),
        "unresolved_prompt": sum(checks.unresolved_prompt(c) for c in items),
        "bad_blank": sum(checks.bad_blank(c) for c in items),
    }
    report = {
        "items": n,
        "by_type": dict(sorted(by_type.items())),
        "distinct_types": len(by_type),
        "difficulties": dict(sorted(Counter(c.difficulty for c in items).items())),
        "evidence_verbatim": evidence_ok / n if n else 1.0,
        "key_grounded": grounded / len(extractive) if extractive else 1.0,
        "distractors_in_evidence": distractors_in_evidence,
        "duplicate_options": duplicate_options,
        "alias_of_key_options": alias_options,
        "near_duplicate_questions": len(near_duplicates),
        "repeated_facts": repeated_facts,
        "paragraphs": paragraphs,
        "paragraphs_covered": covered,
        "coverage": covered / paragraphs if paragraphs else 1.0,
        # With fewer questions than paragraphs full coverage is impossible: judge what is reachable.
        "coverage_of_reachable": covered / reachable,
        "key_longest_rate": longest / len(choice_items) if choice_items else 0.0,
        "key_positions": dict(sorted(positions.items())),
        "form_problems": form,
    }
    failures = []
    if report["evidence_verbatim"] < 1.0:
        failures.append("evidence not verbatim for some items")
    if report["key_grounded"] < 1.0:
        failures.append("some extractive keys are not grounded in their evidence")
    for name in (
        "distractors_in_evidence",
        "duplicate_options",
        "alias_of_key_options",
        "near_duplicate_questions",
        "repeated_facts",
    ):
        if report[name]:
            failures.append(f"{name} = {report[name]}")
    for name, value in form.items():
        if value:
            failures.append(f"{name} = {value}")
    if report["coverage_of_reachable"] < COVERAGE_BAR:
        failures.append(f"paragraph coverage {report['coverage_of_reachable']:.0%} < 70%")
    if report["key_longest_rate"] > KEY_LONGEST_BAR:
        failures.append(f"key is the longest option in {report['key_longest_rate']:.0%} > 40%")
    if len(choice_items) >= 4 and max(positions.values()) / len(choice_items) > KEY_POSITION_BAR:
        failures.append("key positions are not spread")
    report["failures"] = failures
    report["passed"] = not failures
    return report


def format_report(report: dict) -> str:
    types = ", ".join(f"{k} {v}" for k, v in report["by_type"].items())
    form = ", ".join(f"{k} {v}" for k, v in report["form_problems"].items())
    lines = [
        f"Evaluation: {'PASSED' if report['passed'] else 'FAILED'}",
        f"  items: {report['items']} ({report['distinct_types']} types: {types})",
        f"  difficulties: {report['difficulties']}",
        f"  evidence verbatim: {report['evidence_verbatim']:.0%}",
        f"  key grounded (extractive): {report['key_grounded']:.0%}",
        f"  distractors in evidence: {report['distractors_in_evidence']}",
        f"  duplicate options: {report['duplicate_options']}",
        f"  options aliasing the key: {report['alias_of_key_options']}",
        f"  near-duplicate questions: {report['near_duplicate_questions']}",
        f"  repeated facts: {report['repeated_facts']}",
        f"  paragraph coverage: {report['paragraphs_covered']}/{report['paragraphs']}"
        f" = {report['coverage']:.0%} (of reachable: {report['coverage_of_reachable']:.0%})",
        f"  key is longest option: {report['key_longest_rate']:.0%}",
        f"  key positions: {report['key_positions']}",
        f"  form problems: {form}",
    ]
    lines += [f"  FAIL: {f}" for f in report["failures"]]
    return "\n".join(lines)
