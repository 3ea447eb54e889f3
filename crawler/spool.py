"""Disk spool for batches the database could not take: JSON lines, one file a batch.

`batch-*.jsonl` files wait for the database to come back and are written by the
next crawl; `failed/` keeps what storage refused or what could not be read, so
nothing fetched is ever thrown away and one bad file never blocks the others.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from crawler.items import CrawlFailure
from normalizer.models import RawDocument

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory)
        self.failed_dir = self.dir / "failed"

    def write(
        self, docs: list[RawDocument], failures: list[CrawlFailure], *, failed: bool = False
    ) -> Path:
        """Write atomically (temp file + rename) so a crash never leaves half a batch."""
        target = self.failed_dir if failed else self.dir
        target.mkdir(parents=True, exist_ok=True)
        name = f"batch-{uuid.uuid4().hex}.jsonl"
        tmp = target / f".{name}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            for doc in docs:
                data = doc.model_dump(mode="json", exclude={"body"}) | {"body": doc.body.hex()}
                fh.write(json.dumps({"type": "document", "data": data}) + "\n")
            for f in failures:
                fh.write(json.dumps({"type": "failure", "data": f.model_dump()}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        path = target / name
        tmp.replace(path)
        return path

    def set_aside(self, path: Path, reason: BaseException | str) -> Path:
        """Move a file that cannot be written (bad data, unreadable) out of the way."""
        self.failed_dir.mkdir(parents=True, exist_ok=True)
        target = self.failed_dir / path.name
        path.replace(target)
        log.error("spool file %s set aside in %s: %s", path.name, self.failed_dir, reason)
        return target

    def pending(self) -> Iterator[tuple[Path, list[RawDocument], list[CrawlFailure]]]:
        if not self.dir.is_dir():
            return
        for path in sorted(self.dir.glob("batch-*.jsonl")):
            try:
                docs, failures = _read(path)
            except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
                self.set_aside(path, exc)
                continue
            yield path, docs, failures


def _read(path: Path) -> tuple[list[RawDocument], list[CrawlFailure]]:
    docs: list[RawDocument] = []
    failures: list[CrawlFailure] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["type"] == "document":
            data = entry["data"]
            data["body"] = bytes.fromhex(data["body"])
            docs.append(RawDocument.model_validate(data))
        else:
            failures.append(CrawlFailure.model_validate(entry["data"]))
    return docs, failures
