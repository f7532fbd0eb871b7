"""Recorded model replies about tests.factories.PLAIN_ARTICLE (the honeybee article)."""

import copy
import json


def choice(text, correct=False, rationale=""):
    return {"text": text, "correct": correct, "rationale": rationale}


LITERAL_MC = {
    "type": "multiple_choice",
    "kind": "detail",
    "skill": "literal",
    "difficulty": 1,
    "prompt": "What tells other bees how far to fly?",
    "choices": [
        choice("The duration of the waggle", True),
        choice("The colour of the flowers", rationale="Colour is not mentioned."),
        choice("The smell of the forager", rationale="Smell is not mentioned."),
        choice("The height of the hive", rationale="Height is not mentioned."),
    ],
    "accepted_answers": [],
    # Two spaces and curly quotes are forgiven: we find the sentence and store exact offsets.
    "evidence_quote": "“The duration of the waggle  tells other bees how far to fly.”",
    "explanation": "The text says the duration of the waggle gives the distance.",
}
FILL_BLANK = {
    "type": "fill_blank",
    "kind": "fill_blank",
    "skill": "literal",
    "difficulty": 2,
    "prompt": "Honeybees communicate the location of food through a movement called the ____.",
    "choices": [],
    "accepted_answers": ["waggle dance"],
    "evidence_quote": (
        "Honeybees communicate the location of food through a movement called the waggle dance."
    ),
    "explanation": "The first paragraph names the movement.",
}
TRUE_FALSE = {
    "type": "true_false",
    "kind": "true_false",
    "skill": "literal",
    "difficulty": 1,
    "prompt": "A forager runs in a straight line while shaking her body.",
    "choices": [choice("True", True), choice("False")],
    "accepted_answers": [],
    "evidence_quote": "A forager returning to the hive runs in a straight line while shaking her "
    "body, then loops back and repeats the run.",
    "explanation": "The second paragraph describes the run.",
}
INFERENCE_MC = {
    "type": "multiple_choice",
    "kind": "cause",
    "skill": "inference",
    "difficulty": 3,
    "prompt": "Why did Karl von Frisch share the Nobel Prize?",
    "choices": [
        # Reworded ("decoding this language"): backed by the evidence and the sentence before.
        choice("He decoded the language of the bees' dance", True),
        choice("He discovered how honey is made", rationale="Honey is not discussed."),
        choice("He bred a new kind of bee", rationale="Breeding is not discussed."),
        choice("He built the first beehive", rationale="Hives are not what he is known for."),
    ],
    "accepted_answers": [],
    "evidence_quote": "In 1973 Karl von Frisch shared the Nobel Prize for decoding this language.",
    "explanation": "Decoding the language means working out what the dance says.",
}
GOOD = [LITERAL_MC, FILL_BLANK, TRUE_FALSE, INFERENCE_MC]

QUOTE_NOT_IN_ARTICLE = {
    **copy.deepcopy(LITERAL_MC),
    "prompt": "What can bees see that people cannot?",
    "choices": [
        choice("Ultraviolet light", True),
        choice("Radio waves", rationale="Not in the text."),
        choice("Magnetic fields", rationale="Not in the text."),
        choice("Sound waves", rationale="Not in the text."),
    ],
    "evidence_quote": "Bees can see ultraviolet light that people cannot see.",
}
DISTRACTOR_IS_KEY = {
    **copy.deepcopy(LITERAL_MC),
    "prompt": "How do honeybees communicate the location of food?",
    "choices": [
        choice("The waggle dance", True),
        choice("the waggle dance", rationale="Same as the key."),
        choice("A humming song", rationale="Not in the text."),
        choice("A scent trail", rationale="Not in the text."),
    ],
    "evidence_quote": FILL_BLANK["evidence_quote"],
}
MISSING_FIELDS = {"type": "multiple_choice", "prompt": "What is missing here?"}

# A literal key in other words: "loops back ... repeats" -> "loops back to repeat it". The
# offline containment test rejects it; the evidence backs every content word of it.
REWORDED_MC = {
    "type": "multiple_choice",
    "kind": "detail",
    "skill": "literal",
    "difficulty": 2,
    "prompt": "What does a forager do once her straight, shaking run is over?",
    "choices": [
        choice("She loops back to repeat it", True),
        choice(
            "She flies off to the food source",
            rationale="The dance points to the food; she does not leave.",
        ),
        choice("She rests inside the hive for a while", rationale="Resting is not mentioned."),
        choice(
            "She shakes her body to call the queen",
            rationale="The shaking is part of the run, not a call.",
        ),
    ],
    "accepted_answers": [],
    "evidence_quote": TRUE_FALSE["evidence_quote"],
    "explanation": "After the run she loops back and repeats it.",
}
# The same question with a key that shares nothing with the evidence.
UNBACKED_MC = {
    **copy.deepcopy(REWORDED_MC),
    "choices": [
        choice("The queen decides where the colony moves", True),
        *copy.deepcopy(REWORDED_MC["choices"][1:]),
    ],
}
# Another question with LITERAL_MC's key: the same answer twice in one quiz.
SAME_KEY_MC = {
    **copy.deepcopy(LITERAL_MC),
    "prompt": "Which part of the dance gives the distance to the food?",
}


def reply(*items) -> str:
    return json.dumps({"items": list(items)})
