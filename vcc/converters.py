"""URL converters shared by the apps."""

from django.urls import register_converter


class IdConverter:
    """A database id: at most 18 digits, so an absurd id is a 404, never a 500 from an
    integer the database cannot hold."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
