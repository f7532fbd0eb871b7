"""Question exchange with Moodle: GIFT and Moodle XML export and import.

    export_gift(questions) -> str
    import_gift(text, lesson, *, status="draft") -> ImportResult
    export_moodle_xml(questions) -> str
    import_moodle_xml(text, lesson, *, status="draft") -> ImportResult

Imports are all or nothing: when any question has an error nothing is created and
`ImportResult.errors` lists `GiftError(line, message)` items (str() gives "Line 12: …").
"""

from .common import GiftError, ImportResult
from .gift import export_gift, import_gift, parse_gift
from .moodle_xml import export_moodle_xml, import_moodle_xml, parse_moodle_xml

__all__ = [
    "GiftError",
    "ImportResult",
    "export_gift",
    "export_moodle_xml",
    "import_gift",
    "import_moodle_xml",
    "parse_gift",
    "parse_moodle_xml",
]
