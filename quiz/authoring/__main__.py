"""python -m quiz.authoring PATH [COUNT]: print the generated questions, then the proxy measures
and flags of quiz.authoring.evaluation (figures, never a verdict)."""

from __future__ import annotations

import sys
from pathlib import Path

from .evaluation import CLOSING, evaluate, format_report
from .generator import generate
from .models import Candidate, UnsupportedLanguage
from .parsing import parse_article


def format_question(n: int, c: Candidate) -> str:
    kind = f" | {c.kind}" if getattr(c, "kind", "") else ""
    lines = [
        f"{n}. [{c.type}{kind} | {c.skill} | d{c.difficulty} | p{c.paragraph + 1} | {c.score:.2f}]"
    ]
    lines.append(f"   {c.prompt}")
    for i, ch in enumerate(c.choices):
        mark = "*" if ch.correct else " "
        tail = f"   <- {ch.rationale}" if ch.rationale and not ch.correct else ""
        lines.append(f"   {mark} {chr(65 + i)}) {ch.text}{tail}")
    if c.accepted_answers:
        lines.append(f"   answers: {' | '.join(c.accepted_answers)}")
    lines.append(f"   why: {c.explanation}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    path = Path(argv[0])
    article = parse_article(path.read_text(encoding="utf-8"), title=path.stem)
    count = int(argv[1]) if len(argv) > 1 else None
    try:
        items = generate(article, count)
    except UnsupportedLanguage as refused:
        print(f"{path.name}: refused: {refused}")
        return 1
    for n, c in enumerate(items, 1):
        print(format_question(n, c))
        print()
    print(format_report(evaluate(article, items, name=path.stem)))
    print(CLOSING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
