"""Hugging Face Hub API JSON (`/api/models/<id>`, also older ModelInfo dumps) -> ToolRecord."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from normalizer import dates, licenses, params
from normalizer.builder import RecordBuilder
from normalizer.extract import ModelRef
from normalizer.frontmatter import as_list
from normalizer.hf_card import _base_model_into, page_url, resolve_repo_id
from normalizer.identity import display_name, repo_id_from_filename
from normalizer.models import DocKind, LinkType, NormalizeResult, Parameters
from normalizer.taxonomy import category_for
from normalizer.vendors import vendor_for_org

_WEIGHT_FILE_RE = re.compile(
    r"\.(?:safetensors|bin|gguf|ggml|pt|pth|ckpt|h5|msgpack|onnx|tflite|ot|nemo|mlmodel|pb|npz|keras)$"
    r"|(?:^|/)(?:pytorch_model|model|tf_model|flax_model)[^/]*$",
    re.I,
)


def normalize_api(
    text: str,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    filename: str | None = None,
) -> NormalizeResult:
    result = NormalizeResult(kind=DocKind.HF_API, source_url=source_url)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        result.warnings.append(f"not JSON: {exc}")
        return result
    except (RecursionError, ValueError) as exc:  # absurd nesting, huge integers
        result.warnings.append(f"unreadable JSON: {type(exc).__name__}")
        return result
    items: list[dict[str, Any]]
    if isinstance(data, list):
        items = [d for d in data if isinstance(d, dict)]
        if len(items) != len(data):
            result.warnings.append("listing contains non-object entries; skipped")
    elif isinstance(data, dict):
        if "error" in data and len(data) <= 2:
            result.warnings.append(f"API error body: {data.get('error')!r}; no record")
            return result
        items = [data]
    else:
        result.warnings.append("JSON is neither an object nor a list; no record")
        return result
    for item in items:
        repo_id = _repo_id(item) or (
            resolve_repo_id(source_url, filename) if len(items) == 1 else None
        )
        if repo_id is None:
            result.warnings.append("model JSON without id/modelId; skipped")
            continue
        url = (
            source_url
            if len(items) == 1 and source_url
            else f"https://huggingface.co/api/models/{repo_id}"
        )
        result.records.append(api_record(item, repo_id, url, observed_at))
    return result


def _repo_id(item: dict[str, Any]) -> str | None:
    for key in ("id", "modelId"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def api_record(
    item: dict[str, Any], repo_id: str, source_url: str | None, observed_at: datetime | None
):
    name = display_name(repo_id)
    ref = ModelRef(name=name, repo_id=repo_id)
    rb = RecordBuilder(name, source_url, observed_at)
    card = item.get("cardData") if isinstance(item.get("cardData"), dict) else {}
    tags = as_list(item.get("tags"))

    org = item.get("author") if isinstance(item.get("author"), str) else ref.org
    if org:
        rb.set("vendor", vendor_for_org(org), "hf:org", f"org={org}")

    lic = licenses.from_card_metadata(card) or licenses.from_card_metadata(item)
    if lic:
        rb.set("license", lic, "api:cardData.license", f"license: {card.get('license')}")
    else:
        lic = licenses.from_tags(tags)
        if lic:
            rb.set("license", lic, "api:tags", f"license:{lic.id}")
    if lic is not None and lic.url and lic.url.startswith("http"):
        rb.add_link(LinkType.LICENSE, lic.url)

    task = item.get("pipeline_tag")
    if isinstance(task, str) and task:
        rb.set("task", task, "api:pipeline_tag", f"pipeline_tag={task}")
    else:
        mapping = item.get("inferenceProviderMapping")
        tasks = set()
        if isinstance(mapping, dict):
            tasks = {
                v.get("task") for v in mapping.values() if isinstance(v, dict) and v.get("task")
            }
        elif isinstance(mapping, list):
            tasks = {v.get("task") for v in mapping if isinstance(v, dict) and v.get("task")}
        if len(tasks) == 1:
            t = tasks.pop()
            rb.set("task", t, "api:inferenceProviderMapping.task", f"task={t}", confidence=0.8)

    _base_model_into(rb, card, tags, "", ref, "api:cardData")
    _base_models_into(rb, item.get("baseModels"))

    siblings = item.get("siblings")
    if isinstance(siblings, list) and siblings:
        files = [s.get("rfilename", "") for s in siblings if isinstance(s, dict)]
        weights = [f for f in files if _WEIGHT_FILE_RE.search(f)]
        if weights:
            rb.set("open_weights", True, "api:siblings", f"weight files: {', '.join(weights[:3])}")
            rb.add_link(LinkType.WEIGHTS, f"https://huggingface.co/{repo_id}/tree/main")

    hit = params.from_api(item)
    if hit:
        rb.set("parameters", Parameters(total=hit.total), hit.method, hit.evidence)
    else:
        name_hit = params.from_name(name)
        if name_hit:
            rb.set(
                "parameters",
                Parameters(total=name_hit.total, active=name_hit.active),
                "name",
                name_hit.evidence,
                confidence=0.8,
            )

    ctx = _config_context(item.get("config"))
    if ctx:
        rb.set("context_length", ctx[0], "api:config", ctx[1], confidence=0.9)

    date_hit = dates.from_api(item)
    if date_hit:
        rb.set("release_date", date_hit.value, date_hit.method, date_hit.evidence)

    category = category_for(rb.values.get("task"), tags, name)
    rb.set("category", category, "taxonomy", f"task={rb.values.get('task')}")

    rb.add_link(LinkType.MODEL_CARD, page_url(repo_id))
    for tag in tags:
        if tag.startswith("arxiv:"):
            rb.add_link(LinkType.PAPER, f"https://arxiv.org/abs/{tag.split(':', 1)[1]}")
    if item.get("gated") not in (None, False, "false"):
        rb.warnings.append(
            f"gated repository ({item.get('gated')}); weights need an access request"
        )
    return rb.build(repo_id)


_RELATIONS = {"finetune", "adapter", "quantized", "merge"}


def _base_models_into(rb: RecordBuilder, base: Any) -> None:
    """`baseModels` (expand): the Hub's computed lineage, `{relation, models: [{id}]}`."""
    if not isinstance(base, dict) or rb.has("base_model"):
        return
    models = base.get("models")
    ids = [m.get("id") for m in models if isinstance(m, dict)] if isinstance(models, list) else []
    ids = [i for i in ids if isinstance(i, str) and "/" in i]
    if not ids:
        return
    rb.set("base_model", ids[0], "api:baseModels", f"baseModels.models[0].id={ids[0]}")
    relation = base.get("relation")
    if relation in _RELATIONS:
        rb.set("base_model_relation", relation, "api:baseModels", f"relation={relation}")


def _config_context(config: Any) -> tuple[int, str] | None:
    """`max_position_embeddings` is stated only in full config.json, rarely in API JSON."""
    if not isinstance(config, dict):
        return None
    for key in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
        value = config.get(key)
        if isinstance(value, int) and value >= 64:
            return value, f"config.{key}={value}"
    return None


__all__ = ["normalize_api", "api_record", "repo_id_from_filename"]
