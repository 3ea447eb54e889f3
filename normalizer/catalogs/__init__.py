"""Model catalogs -> ToolRecords: one reader per catalog format, told apart by content.

- Mistral's docs model registry (`src/schema/models/models/*.ts`): the vendor's own
  catalog (source kind `catalog`): release date, license, total/active parameters,
  context, API names, prices per million tokens.
- App and platform catalogs, curated by a third party about other makers' models
  (source kind `app-catalog`, ranked below vendor prose): LM Studio
  (`model-catalog`), GPT4All (`models3.json`), Azure ML model specs (`spec.yaml`),
  Docker Hub `ai/*` model cards.
"""

from __future__ import annotations

import json
from datetime import datetime

from normalizer.catalogs import app_catalogs, mistral_docs
from normalizer.models import DocKind, NormalizeResult


def normalize_catalog(
    text: str,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    filename: str | None = None,
) -> NormalizeResult:
    if mistral_docs.looks_like(text):
        return mistral_docs.normalize(text, source_url, observed_at)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            return _unreadable(source_url, f"catalog JSON not readable: {type(exc).__name__}")
        return app_catalogs.from_json(data, source_url, observed_at)
    if app_catalogs.is_azureml_spec(text):
        return app_catalogs.from_azureml_spec(text, source_url, observed_at)
    if app_catalogs.is_docker_card(text):
        return app_catalogs.from_docker_card(text, source_url, observed_at, filename=filename)
    return _unreadable(source_url, "not a catalog format toolwatch knows")


def _unreadable(source_url: str | None, why: str) -> NormalizeResult:
    return NormalizeResult(kind=DocKind.CATALOG, source_url=source_url, warnings=[why])
