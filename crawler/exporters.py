"""Feed exporters for `scrapy crawl X -O items.jsonl` (or .json, .csv, .xml).

Items are `RawDocument`s (raw bytes) and `CrawlFailure`s. A body that is UTF-8 is
exported as text; any other body as `{"base64": ...}`, so an export is valid JSON
and keeps every byte.
"""

from __future__ import annotations

import base64
from typing import Any

from scrapy.exporters import (
    CsvItemExporter,
    JsonItemExporter,
    JsonLinesItemExporter,
    XmlItemExporter,
)


def _exportable(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(value).decode("ascii")}
    return value


class _BytesAsText:
    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return super().serialize_field(field, name, _exportable(value))  # type: ignore[misc]


class JsonLinesExporter(_BytesAsText, JsonLinesItemExporter):
    pass


class JsonExporter(_BytesAsText, JsonItemExporter):
    pass


class CsvExporter(_BytesAsText, CsvItemExporter):
    pass


class XmlExporter(_BytesAsText, XmlItemExporter):
    pass
