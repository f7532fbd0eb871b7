"""One module per question type; each exposes build(doc) -> list[Candidate]."""

from . import (
    fill_blank,
    main_idea,
    multiple_choice,
    sequence,
    true_false,
    viewpoint,
    vocabulary,
)

BUILDERS = (
    main_idea.build,
    viewpoint.build,
    multiple_choice.build,
    true_false.build,
    fill_blank.build,
    vocabulary.build,
    sequence.build,
)
