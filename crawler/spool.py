"""Disk spool for batches the database could not take (outage): JSON lines, one file a batch."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from crawler.items import CrawlFailure
from normalizer.models import RawDocument


class Spool:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory)

    def write(self, docs: list[RawDocument], failures: list[CrawlFailure]) -> Path:
        """Write atomically (temp file + rename) so a crash never leaves half a batch."""
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"batch-{uuid.uuid4().hex}.jsonl"
        tmp = self.dir / f".{name}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            for doc in docs:
                data = doc.model_dump(mode="json", exclude={"body"}) | {"body": doc.body.hex()}
                line = {"type": "document", "data": data}
                fh.write(json.dumps(line) + "\n")
            for f in failures:
                fh.write(json.dumps({"type": "failure", "data": f.model_dump()}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        path = self.dir / name
        tmp.replace(path)
        return path

    def pending(self) -> Iterator[tuple[Path, list[RawDocument], list[CrawlFailure]]]:
        if not self.dir.is_dir():
            return
        for path in sorted(self.dir.glob("batch-*.jsonl")):
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
            yield path, docs, failures
