"""What does a speaker think or claim? From the article's reported views ("X said that ...",
"According to X, ...", '"...," X said'): the stem names the speaker, the options are views,
the key is the speaker's own and the wrong options are other people's views in the article,
then other statements of the text, never anything the speaker also said."""

from __future__ import annotations

import re

from ..document import Document
from ..models import Candidate
from ..statements import Statement, Statements, as_option
from ..text import contains_phrase, word_count
from .common import candidate, choice_set
from .viewpoint import View, find_views

# The reporting verb decides what the stem asks for: a belief, a claim, or what was said.
_THINK = {"believe", "believes", "believed", "think", "thinks", "thought", "feel", "feels",
          "felt", "fear", "fears", "feared", "hope", "hopes", "hoped", "expect", "expects",
          "expected", "doubt", "doubts", "doubted"}  # fmt: skip
_ARGUE = {"argue", "argues", "argued", "insist", "insists", "insisted", "claim", "claims",
          "claimed", "contend", "contends", "contended", "maintain", "maintains", "maintained",
          "suggest", "suggests", "suggested"}  # fmt: skip
_WARN = {"warn", "warns", "warned"}
_PREDICT = {"predict", "predicts", "predicted"}
_ADMIT = {"admit", "admits", "admitted", "acknowledge", "acknowledges", "acknowledged",
          "concede", "concedes", "conceded"}  # fmt: skip


def quote_option(text: str) -> str | None:
    """A speaker's own words as an option: their first sentence, in quotation marks."""
    first = re.split(r"(?<=[.!?])\s+", text.strip())[0].strip().rstrip(",;:")
    if not 4 <= word_count(first) <= 20 or re.search(r'["“”()\[\]]', first):
        return None
    if re.search(r"\b(?:this|these|those|that)\s*$|\b(?:this|these)\b", first, re.IGNORECASE):
        return None
    first = first[:1].upper() + first[1:]
    if not first.endswith((".", "!", "?")):
        first += "."
    return f"“{first}”"


def speaker(view: View, doc: Document) -> str:
    """The speaker as the stem names them: "the council", "the Chamber of Commerce"."""
    who = view.actor.display
    if who.startswith("The "):
        return "the" + who[3:]
    if view.actor.kind == "group":
        return who[:1].lower() + who[1:]
    if view.actor.kind != "person" and any(
        re.search(rf"\bthe {re.escape(form)}\b", p, re.IGNORECASE)
        for form in view.actor.forms
        for p in doc.paragraphs
    ):
        return f"the {who}"  # the text writes "the EU": the stem says "the European Union"
    return who


def stem(view: View, doc: Document) -> str:
    who = speaker(view, doc)
    verb = view.verb.split()[-1].lower() if view.verb else "said"
    plural = view.actor.kind == "group" and re.search(r"[^s]s$", who.split()[-1]) is not None
    # "Experts predict" is present tense too: a plural speaker takes "do", not "does".
    present = (verb.endswith("s") and not verb.endswith("ss")) or (
        plural and verb in _THINK | _ARGUE | _WARN | _PREDICT | _ADMIT and not verb.endswith("ed")
    )
    does = "do" if plural else "does"
    if verb in _THINK:
        return (
            f"According to the article, what {does} {who} think?"
            if present or verb in ("believe", "think", "feel")
            else f"According to the article, what did {who} think?"
        )
    if verb in _ARGUE:
        return f"What {does} {who} argue?" if present else f"What did {who} argue?"
    if verb in _WARN:
        return f"What {does} {who} warn?" if present else f"What did {who} warn?"
    if verb in _PREDICT:
        return f"What {does} {who} predict?" if present else f"What did {who} predict?"
    if verb in _ADMIT:
        return f"What {does} {who} admit?" if present else f"What did {who} admit?"
    if verb == "according":
        return f"According to {who}, which of these is true?"
    return (
        f"What {does} {who} say?" if present else f"According to the article, what did {who} say?"
    )


def _quoted(view: View) -> bool:
    return view.prompt.startswith("Who said:") or re.search(r"\b(?:I|we|my|our)\b", view.view)


def build(doc: Document) -> list[Candidate]:
    views = [v for v in find_views(doc) if v.view]
    statements = Statements(doc)
    # Indirect speech becomes a plain statement; the speaker's own words stay a quotation.
    options = {
        id(v): as_option(v.view, first_person=False)
        or (quote_option(v.view) if _quoted(v) else None)
        for v in views
    }
    out: list[Candidate] = []
    for v in views:
        key = options[id(v)]
        if key is None or v.actor.kind == "group" and len(v.actor.display.split()) < 2:
            continue  # "Critics" alone is too vague to ask about
        if any(contains_phrase(key, form) for form in v.actor.forms):
            continue  # the view names its own speaker
        own = {o.sentence.index for o in views if o.actor.key == v.actor.key}
        # Sentences near one of the speaker's views may continue them (unattributed quotes).
        near = {i + d for i in own for d in (-1, 1)}
        preferred = [
            Statement(o.sentence, text)
            for o in views
            if o.actor.key != v.actor.key and (text := options[id(o)])
        ]
        prompt = stem(v, doc)
        mentions_speaker = {
            s.index
            for s in doc.sentences
            if any(contains_phrase(s.text, form) for form in v.actor.forms)
        }
        wrong = statements.wrong_options(
            key,
            "",
            v.sentence,
            doc.seed + prompt,
            preferred=preferred,
            exclude_sentences=own | near | mentions_speaker,
        )
        if len(wrong) < 3:
            continue
        if sum(st in preferred for st, _ in wrong) < 2:
            # Narrator's facts beside one real view let the view stand out (judged round 1):
            # at least two wrong options must be other people's views.
            continue
        distractors = [
            (
                st.text,
                "Someone else in the article holds this view."
                if st in preferred
                else why.replace(
                    "does not answer the question", f"is not what {v.actor.display} says"
                ),
            )
            for st, why in wrong
        ]
        out.append(
            candidate(
                doc,
                v.sentence,
                type="multiple_choice",
                prompt=prompt,
                explanation=(
                    f'{doc.label(v.sentence.paragraph)} reports {v.actor.display}\'s view: "{key}"'
                ),
                skill="viewpoint",
                difficulty=3 if v.level == 3 else 2,
                score=3.2 + (0.2 if preferred else 0.0),
                choices=choice_set(prompt + doc.seed + key, key, distractors),
                fact=f"view:{v.actor.key}",  # one question per speaker
            )
        )
        out[-1].kind = "speaker_view"
    return out
