"""CPU time of question generation per fixture article.

Usage: .venv/bin/python benchmarks/generation.py [RUNS]
Warms up once on a small text of its own (imports, word lists, segmenter), then for each article
in tests/fixtures/articles times the first generate() call (nothing of that text cached yet:
the figure that matters for a teacher importing a new article) and the median of RUNS repeats,
with time.process_time.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quiz.authoring import ArticleText, generate, parse_article  # noqa: E402

ARTICLES = ROOT / "tests" / "fixtures" / "articles"


WARM_UP = ArticleText(
    paragraphs=(
        "In 1990, Dr. Jane Roe said that the river was rising. Critics argue the data are weak.",
        "Officials in Paris and Berlin rejected the plan in March 1991 and again in 1995.",
    )
)


def main(runs: int = 5) -> None:
    generate(WARM_UP)  # loads word lists and the segmenter: start-up cost, excluded
    print(f"{'article':28} {'words':>6} {'questions':>9} {'first CPU s':>12} {'median CPU s':>12}")
    for path in sorted(ARTICLES.glob("*.txt")):
        article = parse_article(path.read_text(encoding="utf-8"))
        start = time.process_time()
        generate(article)
        first = time.process_time() - start
        times, items = [], []
        for _ in range(runs):
            start = time.process_time()
            items = generate(article)
            times.append(time.process_time() - start)
        words = sum(len(p.split()) for p in (*article.summary, *article.paragraphs))
        median = statistics.median(times)
        print(f"{path.stem:28} {words:>6} {len(items):>9} {first:>12.3f} {median:>12.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
