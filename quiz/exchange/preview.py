"""The import preview a teacher confirms: the file travels back with the confirmation, signed,
so the questions imported are exactly the ones the preview listed (no server-side state)."""

from __future__ import annotations

import base64

from django.core import signing

from .common import GIFT_ORIGIN, MOODLE_XML_ORIGIN, Reading
from .gift import parse_gift
from .moodle_xml import parse_moodle_xml

_SALT = "quiz.exchange.preview"
MAX_AGE = 6 * 3600  # a preview left open over lunch still imports; one from last week does not


class PreviewExpired(Exception):
    """The confirmation's file is missing, altered or too old."""


def read(content: str | bytes, *, is_xml: bool) -> tuple[Reading, str]:
    """(reading, origin) of a GIFT text or a Moodle XML file's bytes."""
    if is_xml:
        return parse_moodle_xml(content), MOODLE_XML_ORIGIN
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    return parse_gift(content), GIFT_ORIGIN


def sign(content: str | bytes, *, is_xml: bool) -> str:
    data = content.encode() if isinstance(content, str) else content
    payload = {"xml": is_xml, "data": base64.b64encode(data).decode("ascii")}
    return signing.dumps(payload, salt=_SALT, compress=True)


def unsign(token: str) -> tuple[str | bytes, bool]:
    """(content, is_xml) of a signed preview; PreviewExpired when it cannot be trusted."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
        data = base64.b64decode(payload["data"], validate=True)
        is_xml = bool(payload["xml"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PreviewExpired from None
    return (data if is_xml else data.decode("utf-8")), is_xml
