"""The API's JSON parser (``DEFAULT_PARSER_CLASSES``). Its own module: DRF reads the parser setting
while ``rest_framework.views`` is imported, which web.rest itself imports."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


class BoundedJSONParser(JSONParser):
    """JSON nested at most ``MAX_JSON_DEPTH`` deep: deeper is a 400, never a RecursionError. (The
    body's size is bounded before parsing: DRF reads it through Django's ``request.body``, which
    refuses more than ``DATA_UPLOAD_MAX_MEMORY_SIZE``; see web.rest.ScopedQuerysetMixin.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels deep."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(too_deep) from error
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(too_deep)
        return data


def json_depth(value) -> int:
    """How deeply lists and objects nest in parsed JSON (0 for a plain value), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
