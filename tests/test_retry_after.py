from datetime import UTC, datetime

from crawler.middlewares import retry_after_seconds


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert retry_after_seconds(b"7") == 7.0
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0


def test_unreadable_retry_after_is_ignored() -> None:
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None
