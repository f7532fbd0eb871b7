"""Moodle's reading and writing of GIFT, written out from Moodle's documented rules and its
reader (question/format/gift, the ordering type's GIFT form, the short answer's matching), so
tests can check what Moodle makes of our files without a Moodle server.

Deliberately naive and separate from the app's importer: it follows Moodle step by step (its
order of type detection, explode() on markers, raw ordering items), quirks included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PRE = {"\\:": "\x01", "\\#": "\x02", "\\=": "\x03", "\\{": "\x04", "\\}": "\x05", "\\~": "\x06"}
_POST = {"\x01": ":", "\x02": "#", "\x03": "=", "\x04": "{", "\x05": "}", "\x06": "~", "\x07": "\n"}
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f])+)\]")
_ORDERING = re.compile(
    r"^\s*>\s*(\d+)\s*(ALL|EXACT|RANDOM|REL|CONTIGUOUS|CONTIG)?\s*"
    r"(HORIZONTAL|HORI|H|1|VERTICAL|VERT|V|0)?\s*"
    r"(ALL_OR_NOTHING|ABSOLUTE_POSITION|ABSOLUTE|ABS|RELATIVE_NEXT_EXCLUDE_LAST|"
    r"RELATIVE_NEXT_INCLUDE_LAST|RELATIVE_ONE_PREVIOUS_AND_NEXT|RELATIVE_ALL_PREVIOUS_AND_NEXT|"
    r"RELATIVE_TO_CORRECT|RELATIVE|REL)?\s*(SHOW|TRUE|YES|1|HIDE|FALSE|NO|0)?\s*"
    r"(none|123|abc|ABCD|iii|IIII)?\s*(.*?)\s*$",
    re.S,
)


@dataclass
class MoodleAnswer:
    text: str
    fraction: float
    feedback: str = ""


@dataclass
class MoodleQuestion:
    qtype: str
    name: str = ""
    text: str = ""
    text_format: str = "moodle"
    general_feedback: str = ""
    answers: list[MoodleAnswer] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # matching
    items: list[str] = field(default_factory=list)  # ordering, in the right order
    ordering_options: tuple = ()
    error: str = ""


def _pre(text: str) -> str:
    text = text.replace("\\\\", "\x00")
    for escaped, placeholder in _PRE.items():
        text = text.replace(escaped, placeholder)
    return text.replace("\\n", "\x07").replace("\x00", "\\")


def _post(text: str) -> str:
    for placeholder, char in _POST.items():
        text = text.replace(placeholder, char)
    return text


def _with_format(text: str, default: str = "moodle") -> tuple[str, str]:
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end]
        if name in ("moodle", "html", "plain", "markdown"):
            fmt, text = name, text[end + 1 :]
    return _post(text).strip(), fmt


def _comment(answer: str, fmt: str) -> tuple[str, str]:
    text, _, feedback = answer.partition("#")
    return _with_format(text.strip(), fmt)[0], _with_format(feedback.strip(), fmt)[0]


def read_question(lines: list[str]) -> MoodleQuestion | None:
    comments = "".join(line.strip() + "\n" for line in lines if line.strip().startswith("//"))
    body = [" " if line.strip().startswith("//") else line for line in lines]
    text = _pre("\n".join(body).strip())
    tags = [t.replace("\\]", "]").strip() for t in _TAG.findall(comments)]
    if not text or text.startswith("$CATEGORY:"):
        return None
    name = ""
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end >= 0:
            name, text = _post(text[:end]).strip(), text[end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        return MoodleQuestion("description", name, _post(text), tags=tags)
    if start < 0 or finish < 0:
        return MoodleQuestion("error", name, error="braces")
    answer_text = text[start + 1 : finish].strip()
    if text.endswith("}"):
        question_text = text[:start] + text[finish + 1 :]
    else:
        question_text = text[:start] + "_____" + text[finish + 1 :]
    general = ""
    cut = answer_text.rfind("####")
    if cut >= 0:
        general, answer_text = answer_text[cut + 4 :], answer_text[:cut].strip()
    q_text, fmt = _with_format(question_text.strip())
    question = MoodleQuestion("", name, q_text, fmt, _with_format(general, fmt)[0], tags=tags)

    ordering = _ORDERING.match(answer_text)
    if ordering:  # the ordering type's GIFT reader goes first
        question.qtype = "ordering"
        question.items = [i.strip() for i in re.split(r"[\r\n]+", ordering.group(7)) if i.strip()]
        question.ordering_options = ordering.groups()[:6]
    elif answer_text == "":
        question.qtype = "essay"
    elif answer_text.startswith("#"):
        question.qtype = "numerical"
    elif "~" in answer_text:
        question.qtype = "multichoice"
        answers = answer_text.replace("=", "~=").split("~")
        if not answers[0].strip():
            answers = answers[1:]
        for answer in answers:
            answer = answer.strip()
            if answer.startswith("="):
                fraction, answer = 1.0, answer[1:]
            elif _WEIGHT.match(answer):
                end = answer.index("%", 1)
                fraction, answer = float(answer[1:end]) / 100, answer[end + 1 :]
            else:
                fraction = 0.0
            shown, feedback = _comment(answer, fmt)
            question.answers.append(MoodleAnswer(shown, fraction, feedback))
    elif "=" in answer_text and "->" in answer_text:
        question.qtype = "match"
        pairs = answer_text.split("=")
        if not pairs[0].strip():
            pairs = pairs[1:]
        if len(pairs) < 2:
            question.error = "a matching question needs at least two pairs"
        for pair in pairs:
            stem, _, answer = pair.strip().partition("->")
            question.pairs.append((_post(stem).strip(), _post(answer).strip()))
    else:
        check = answer_text.split("#")[0].strip() if "#" in answer_text[1:] else answer_text
        if check in ("T", "TRUE", "F", "FALSE"):
            question.qtype = "truefalse"
            truth = check.startswith("T")
            bits = (answer_text.split("#", 2) + ["", ""])[:3]
            question.answers = [
                MoodleAnswer("true", float(truth), _with_format(bits[2 if truth else 1], fmt)[0]),
                MoodleAnswer(
                    "false", float(not truth), _with_format(bits[1 if truth else 2], fmt)[0]
                ),
            ]
        else:
            question.qtype = "shortanswer"
            answers = answer_text.split("=")
            if not answers[0].strip():
                answers = answers[1:]
            for answer in answers:
                answer = answer.strip()
                fraction = 1.0
                if _WEIGHT.match(answer):
                    end = answer.index("%", 1)
                    fraction, answer = float(answer[1:end]) / 100, answer[end + 1 :]
                shown, feedback = _comment(answer, fmt)
                question.answers.append(MoodleAnswer(shown, fraction, feedback))
    return question


def read_gift(text: str) -> list[MoodleQuestion]:
    """Moodle's reading of a GIFT file: questions are separated by blank lines."""
    questions, block = [], []
    for line in text.replace("\r\n", "\n").split("\n") + [""]:
        if line.strip():
            block.append(line)
        elif block:
            question = read_question(block)
            if question is not None:
                questions.append(question)
            block = []
    return questions


def _repchar(text: str) -> str:
    for char, escaped in (("\\", "\\\\"), ("#", "\\#"), ("=", "\\="), ("~", "\\~")):
        text = text.replace(char, escaped)
    for char, escaped in (("{", "\\{"), ("}", "\\}"), (":", "\\:"), ("\n", "\\n")):
        text = text.replace(char, escaped)
    return text


def write_gift(questions: list[MoodleQuestion]) -> str:
    """Moodle's GIFT export of questions it holds: tags as `// [tag:…]`, texts escaped."""
    out = []
    for q in questions:
        lines = [f"// question: 0  name: {q.name}"]
        if q.tags:
            lines.append("// " + " ".join(f"[tag:{tag}]" for tag in q.tags))
        head = f"::{_repchar(q.name)}::[{q.text_format}]"
        general = f"####{_repchar(q.general_feedback)}" if q.general_feedback else ""
        if q.qtype == "ordering":  # the ordering type writes its text and items raw
            options = " ".join(o or "" for o in q.ordering_options)
            lines.append(f"::{q.name}::[{q.text_format}]{q.text}{{>{options}")
            lines += q.items
            lines.append("}")
        elif q.qtype == "truefalse":
            truth = q.answers[0].fraction == 1
            right, wrong = (q.answers[0], q.answers[1]) if truth else (q.answers[1], q.answers[0])
            word = "TRUE" if truth else "FALSE"
            block = f"{word}#{_repchar(wrong.feedback)}#{_repchar(right.feedback)}"
            lines.append(f"{head}{_repchar(q.text)}{{{block}{general}}}")
        elif q.qtype == "multichoice":
            lines.append(f"{head}{_repchar(q.text)}{{")
            for a in q.answers:
                mark = (
                    "="
                    if a.fraction == 1
                    else ("~" if a.fraction == 0 else f"~%{a.fraction * 100:g}%")
                )
                lines.append(f"\t{mark}{_repchar(a.text)}#{_repchar(a.feedback)}")
            if general:
                lines.append("\t" + general)
            lines.append("}")
        elif q.qtype == "shortanswer":
            lines.append(f"{head}{_repchar(q.text)}{{")
            for a in q.answers:
                lines.append(f"\t=%{a.fraction * 100:g}%{_repchar(a.text)}#{_repchar(a.feedback)}")
            if general:
                lines.append("\t" + general)
            lines.append("}")
        else:
            raise ValueError(f"no writer for {q.qtype}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def accepts(response: str, patterns: list[str], *, usecase: bool = False) -> bool:
    """Moodle's short-answer matching: whole-answer match, * a wildcard, \\* an asterisk."""
    for pattern in patterns:
        if pattern == "*":
            return True
        bits = re.split(r"(?<!\\)\*+", pattern)
        regex = "^" + ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits) + "$"
        if re.match(regex, response.strip(), 0 if usecase else re.IGNORECASE):
            return True
    return False
