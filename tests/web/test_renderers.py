"""The API's JSON is orjson's, byte for byte what DRF's renderer wrote."""

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from web.renderers import OrjsonRenderer

UTC = datetime.UTC
DENVER = ZoneInfo("America/Denver")

PAYLOADS = [
    {"count": 2, "next": None, "results": [{"id": 1, "value": "12.50"}, {"id": 2, "value": None}]},
    {"amount": Decimal("1234.50"), "share": Decimal("0.1"), "tiny": Decimal("1E-7")},
    {"at": datetime.datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC)},
    {"at": datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=DENVER), "naive": datetime.datetime(2026, 3, 4)},
    {"on": datetime.date(2026, 3, 4), "time": datetime.time(5, 6, 7, 891234)},
    {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "lazy": gettext_lazy("Not found.")},
    {"text": "École – “quoted” \u2028 line \u2029 paragraph </script>", "flags": [True, False], "pair": (1, 2)},
    {"big": 2**70, "float": 0.1, "negative": -3.25},
    {1: "a key that is not a string"},
    [],
    "plain",
]


@pytest.mark.parametrize("data", PAYLOADS)
def test_orjson_writes_the_bytes_drf_wrote(data):
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_indented_output_is_drfs():
    data = {"a": [1, {"b": Decimal("2.5")}]}
    media_type = "application/json; indent=4"
    assert OrjsonRenderer().render(data, media_type) == JSONRenderer().render(data, media_type)


def test_no_body_is_empty():
    assert OrjsonRenderer().render(None) == b""
