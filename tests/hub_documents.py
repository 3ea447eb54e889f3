"""Real Hub documents for worker tests: the demo cassette's model-info bodies and cards.

`many(n)` serves the same real bodies under n synthetic repo ids (as bench/local_hub.py
does): only the repo id in the URL and the JSON's `id` are ours.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from normalizer.models import DocKind, RawDocument
from storage.schema import Claim

CASSETTE = (
    Path(__file__).resolve().parent.parent / "crawler/fixtures/cassettes/huggingface_demo.yaml"
)
HUB = "https://huggingface.co"
T0 = datetime(2025, 6, 1, tzinfo=UTC)


def _bodies() -> dict[str, bytes]:
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    out = {}
    for i in data["interactions"]:
        body = i["response"]["body"]["string"]
        out[i["request"]["uri"]] = body.encode() if isinstance(body, str) else body
    return out


def pair(repo: str, info: bytes, card: bytes, at: datetime = T0) -> list[RawDocument]:
    return [
        RawDocument(
            url=f"{HUB}/api/models/{repo}",
            kind=DocKind.HF_API,
            body=info,
            fetched_at=at,
            meta={"source_id": repo},
        ),
        RawDocument(
            url=f"{HUB}/{repo}/raw/main/README.md",
            kind=DocKind.HF_CARD,
            body=card,
            fetched_at=at,
            meta={"source_id": repo, "state_key": f"hf:{repo}"},
        ),
    ]


def demo() -> list[RawDocument]:
    """The demo cassette's models, as crawled: model info + card each."""
    bodies = _bodies()
    docs: list[RawDocument] = []
    for uri, body in bodies.items():
        if uri.startswith(f"{HUB}/api/models/"):
            repo = uri.removeprefix(f"{HUB}/api/models/").split("?")[0]  # `?expand=…`
            card = bodies.get(f"{HUB}/{repo}/raw/main/README.md")
            if card is not None:
                docs += pair(repo, body, card)
    return docs


def many(n: int) -> list[RawDocument]:
    bodies = _bodies()
    real = "meta-llama/Llama-3.1-8B-Instruct"
    info = json.loads(
        next(b for uri, b in bodies.items() if uri.split("?")[0] == f"{HUB}/api/models/{real}")
    )
    card = bodies[f"{HUB}/{real}/raw/main/README.md"]
    docs: list[RawDocument] = []
    for i in range(n):
        repo = f"bench/model-{i:05d}"
        body = json.dumps(info | {"id": repo, "modelId": repo}).encode()
        docs += pair(repo, body, card, T0 + timedelta(seconds=i))
    return docs


def duplicate_claims(engine: Engine) -> int:
    """Current claims that say the same (document, record, field) more than once."""
    with Session(engine) as s:
        current = select(Claim).where(Claim.superseded_at.is_(None)).subquery()
        key = (current.c.document_id, current.c.record_key, current.c.field)
        return (
            s.scalar(
                select(func.count()).select_from(
                    select(*key).group_by(*key).having(func.count() > 1).subquery()
                )
            )
            or 0
        )
