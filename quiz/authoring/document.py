"""The analysed article that every builder reads: sentences, entities, dates, word statistics."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from functools import cached_property, lru_cache

from lemminflect import getAllLemmas

from .entities import Entity, EntityIndex
from .lexicon import STOPWORDS
from .models import ArticleText
from .text import Sentence, sentences_of, split_sentences, tokenize


def stable_hash(*parts: str) -> int:
    """Process-independent hash (str hash() changes with PYTHONHASHSEED)."""
    digest = hashlib.md5("\x1f".join(parts).encode("utf-8")).hexdigest()
    return int(digest[:12], 16)


@lru_cache(maxsize=16384)
def lemma_of(word: str) -> str:
    low = word.lower()
    lemmas = getAllLemmas(low)
    for upos in ("NOUN", "VERB", "ADJ", "ADV"):
        if upos in lemmas:
            return lemmas[upos][0]
    return low


def content_lemmas(text: str) -> list[str]:
    return [
        lemma_of(t.text)
        for t in tokenize(text)
        if t.lower not in STOPWORDS and len(t.text) > 2 and not t.text.isdigit()
    ]


class Document:
    def __init__(self, article: ArticleText) -> None:
        self.article = article
        self.paragraphs = article.paragraphs
        self.sentences: list[Sentence] = sentences_of(article.paragraphs)
        self.entities = EntityIndex(self.sentences)
        self.summary_sentences: list[str] = [
            para[a:b] for para in article.summary for a, b in split_sentences(para)
        ]
        self.seed = hashlib.md5("\n".join(article.paragraphs).encode("utf-8")).hexdigest()[:8]

    def label(self, paragraph: int) -> str:
        return f"Paragraph {paragraph + 1}"

    def sentence(self, index: int) -> Sentence:
        return self.sentences[index]

    @cached_property
    def lemmas(self) -> dict[int, list[str]]:
        return {s.index: content_lemmas(s.text) for s in self.sentences}

    @cached_property
    def centrality(self) -> dict[int, float]:
        """Cosine similarity of each sentence's TF-IDF vector with the whole article's."""
        n = len(self.sentences) or 1
        df = Counter(w for lem in self.lemmas.values() for w in dict.fromkeys(lem))
        idf = {w: math.log(1 + n / c) for w, c in df.items()}
        total = Counter(w for lem in self.lemmas.values() for w in lem)
        doc_vec = {w: c * idf[w] for w, c in total.items()}
        doc_norm = math.sqrt(sum(v * v for v in doc_vec.values())) or 1.0
        out = {}
        for index, lem in self.lemmas.items():
            vec = {w: c * idf[w] for w, c in Counter(lem).items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            out[index] = sum(v * doc_vec[w] for w, v in vec.items()) / (norm * doc_norm)
        return out

    @cached_property
    def _term_counts(self) -> Counter:
        return Counter(w for lem in self.lemmas.values() for w in lem)

    def topicality(self, index: int) -> float:
        """How much a sentence is made of the article's most repeated content words (0..~1).
        Unlike TF-IDF centrality this rewards topic words that occur everywhere."""
        counts = self._term_counts
        words = set(self.lemmas[index])
        if not words or not counts:
            return 0.0
        peak = max(counts.values())
        return sum(counts[w] - 1 for w in words) / (len(words) ** 0.5) / peak

    def all_statements(self) -> list[tuple[int, str]]:
        """Every sentence of the article (body and summary), for contradiction checks.
        Summary sentences get index -1."""
        return [(s.index, s.text) for s in self.sentences] + [
            (-1, text) for text in self.summary_sentences
        ]

    def surface_forms(self, entity: Entity) -> list[str]:
        """All strings that name this entity: its mentions, plus gazetteer aliases."""
        from . import gazetteer

        forms = dict.fromkeys(m.text for m in entity.mentions)
        forms[entity.display] = None
        if entity.kind == "country":
            for name in gazetteer.aliases_of(entity.display):
                forms[name] = None
        if entity.kind == "person":
            forms[entity.display.split()[-1]] = None
        return list(forms)
