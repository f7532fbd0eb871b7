"""Question exchange with Moodle: GIFT and Moodle XML export and import.

    export_gift(questions) -> str
    import_gift(text, lesson, *, status="draft") -> ImportResult
    export_moodle_xml(questions) -> str
    import_moodle_xml(text, lesson, *, status="draft") -> ImportResult

    parse_gift(text) / parse_moodle_xml(text) -> Reading   (the preview: nothing saved)

Imports read files the way Moodle does. Questions we cannot hold are refused one by one
(`ImportResult.refused`, `GiftError(line, message, name)`; str() gives "Line 12 (“Q3”): …");
the rest are created in one transaction, with `notes` on what each lost. `errors` is set only
when the file as a whole cannot be read; then nothing is created.
"""

from .common import GiftError, ImportResult, Reading, mark_duplicates, save_reading
from .gift import export_gift, import_gift, parse_gift
from .moodle_xml import export_moodle_xml, import_moodle_xml, parse_moodle_xml

__all__ = [
    "GiftError",
    "ImportResult",
    "Reading",
    "export_gift",
    "export_moodle_xml",
    "import_gift",
    "import_moodle_xml",
    "mark_duplicates",
    "parse_gift",
    "parse_moodle_xml",
    "save_reading",
]
