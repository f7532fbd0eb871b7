"""A bounded integer path converter: ids the database can hold, anything larger is a 404.

Django's `<int:…>` matches any run of digits, so /attempts/9223372036854775808/1/ reached the
view and SQLite raised OverflowError (a 500). `<id:…>` matches at most 18 digits, always below
2**63 - 1, the largest value of a 64-bit signed integer column, so such a URL simply does not
match.
"""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:  # cannot happen with 18 digits; kept in case the regex grows
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
