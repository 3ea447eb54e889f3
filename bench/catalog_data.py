"""Synthetic catalogs for bench/read_api.py: N candidate tools with claims.

The candidates (a tool, a document, a variant, two aliases and one claim per
field, with provenance and evidence) are written straight into the tables, since
ingesting 20,000 documents through the normalizer and identity matching is a
different benchmark (bench/ingest_batch.py). Publishing them then goes through
the real path: `Store.accept_many` resolves every tool's claims and writes the
snapshot, the change log and the served documents.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from storage.names import norm_alias, norm_source_id
from storage.schema import Alias, Claim, Document, Tool, Variant
from storage.store import Store

T0 = datetime(2025, 6, 1, tzinfo=UTC)
VENDORS = [f"Vendor {chr(65 + i % 26)}{chr(65 + i // 26)}" for i in range(40)]
TASKS = ["text-generation", "feature-extraction", "image-text-to-text", "text-to-image"]
CATEGORIES = ["Chat & Text", "Embeddings", "Vision", "Image Generation", "Code"]
LICENSES = [
    {"id": "apache-2.0", "name": "Apache 2.0", "spdx": "Apache-2.0", "terms": "permissive"},
    {"id": "llama3.1", "name": "Llama 3.1 Community License", "terms": "restricted"},
    {"id": "cc-by-nc-4.0", "spdx": "CC-BY-NC-4.0", "terms": "non-commercial"},
    {"id": "proprietary", "terms": "proprietary"},
]
TAGLINE = "A capable model for chat, reasoning and tool use across many languages"
DESCRIPTION = (
    "This model was trained on a large multilingual corpus and tuned with human "
    "feedback. It handles long documents, follows instructions closely and writes "
    "code in the common languages; the weights and the evaluation results are "
    "published with the model card. "
) * 2


def word(i: int) -> str:
    """`i` in letters: names with numbers in them would read as sizes of one model."""
    return "".join(chr(97 + (i // 26**k) % 26) for k in (3, 2, 1, 0))


def values(i: int) -> dict[str, Any]:
    at = (T0 + timedelta(days=i % 400)).date().isoformat()
    lic = LICENSES[i % len(LICENSES)]
    return {
        "name": f"Bench Model {word(i).title()}",
        "source_id": f"bench/model-{word(i)}",
        "vendor": VENDORS[i % len(VENDORS)],
        "family": f"bench-{word(i)[:2]}",
        "task": TASKS[i % len(TASKS)],
        "category": CATEGORIES[i % len(CATEGORIES)],
        "tagline": f"{TAGLINE} ({word(i)}).",
        "description": DESCRIPTION,
        "license": lic,
        "open_weights": lic["terms"] != "proprietary",
        "parameters": {"total": 1_000_000_000 * (1 + i % 70), "active": None},
        "context_length": [8192, 32768, 131072][i % 3],
        "release_date": at,
        "pricing": {
            "model": "paid",
            "prices": [
                {
                    "provider": p,
                    "input_per_mtok": round(0.05 + (i % 17) * 0.1 + k * 0.01, 4),
                    "output_per_mtok": round(0.1 + (i % 13) * 0.2 + k * 0.02, 4),
                    "currency": "USD",
                    "checked_at": "2025-06-01T00:00:00Z",
                    "model_id": f"bench/model-{word(i)}",
                }
                for k, p in enumerate(["openrouter", "together", "deepinfra"])
            ],
        },
        "links": [
            {"type": "model_card", "url": f"https://huggingface.co/bench/model-{word(i)}"},
            {"type": "docs", "url": f"https://docs.example/bench/{word(i)}"},
            {"type": "announcement", "url": f"https://blog.example/bench/{word(i)}"},
        ],
    }


def add_candidates(store: Store, n: int, start: int = 0, chunk: int = 2000) -> list[str]:
    """Write `n` candidate tools (ids from `start`); returns their slugs."""
    now = T0
    slugs: list[str] = []
    for lo in range(start, start + n, chunk):
        hi = min(lo + chunk, start + n)
        docs, tools, variants, aliases, claims = [], [], [], [], []
        for i in range(lo, hi):
            tool_id = doc_id = i + 1
            vals = values(i)
            slug = f"bench-model-{word(i)}"
            slugs.append(slug)
            url = f"https://huggingface.co/bench/model-{word(i)}/raw/main/README.md"
            body = f"card {i}".encode()
            docs.append(
                dict(
                    id=doc_id,
                    url=url,
                    kind="hf-card",
                    content_hash=hashlib.sha256(body).hexdigest(),
                    body=zlib.compress(body),
                    status=200,
                    content_type="text/markdown",
                    fetched_at=now,
                    last_seen_at=now,
                    meta={},
                )
            )
            tools.append(
                dict(
                    id=tool_id,
                    slug=slug,
                    name=vals["name"],
                    family=vals["family"],
                    vendor=vals["vendor"],
                    status="candidate",
                    created_at=now,
                    updated_at=now,
                )
            )
            variants.append(
                dict(
                    tool_id=tool_id,
                    source_id=vals["source_id"],
                    source_id_norm=norm_source_id(vals["source_id"]),
                )
            )
            for name in (vals["name"], f"model-{word(i)}-instruct"):
                aliases.append(dict(tool_id=tool_id, alias=name, alias_norm=norm_alias(name)))
            for field, value in vals.items():
                claims.append(
                    dict(
                        tool_id=tool_id,
                        document_id=doc_id,
                        record_key=vals["source_id"],
                        field=field,
                        value=value,
                        source_kind="hf-card",
                        source_url=url,
                        method=f"card:{field}",
                        evidence=f"The card says {field} is {str(value)[:60]}",
                        confidence=0.9,
                        observed_at=now,
                    )
                )
        with store.engine.begin() as conn:
            conn.execute(insert(Document), docs)
            conn.execute(insert(Tool), tools)
            conn.execute(insert(Variant), variants)
            conn.execute(insert(Alias), aliases)
            conn.execute(insert(Claim), claims)
    if store.engine.dialect.name == "postgresql":  # ids were given: move the sequences on
        with store.engine.begin() as conn:
            for model in (Document, Tool, Variant, Alias, Claim):
                table = model.__table__.name  # type: ignore[attr-defined]
                top = conn.scalar(select(func.max(model.id)))
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"),
                    {"n": top},
                )
    return slugs
