"""A Hub repo's `config.json` -> ToolRecord: architecture, context window, experts.

The config is what the model's code loads, so its numbers are exact: the context is
`max_position_embeddings` (of the text model for multimodal configs), extended by
rope scaling where the config asks for it (YaRN / linear / dynamic with a factor
over `original_max_position_embeddings`); `llama3`-type scaling already states the
extended window in `max_position_embeddings`. Experts come from `num_local_experts`
(Mixtral), `num_experts` (Qwen MoE) or `n_routed_experts` (DeepSeek), with
`num_experts_per_tok`. Parameter counts are not in a config: none is guessed here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from normalizer.builder import RecordBuilder
from normalizer.identity import display_name, repo_id_from_filename, repo_id_from_url
from normalizer.models import DocKind, Experts, LinkType, NormalizeResult

_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length")
_EXPERT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
_EXTENDING_ROPE = frozenset({"yarn", "linear", "dynamic", "longrope", "su"})
_MIN_CONTEXT = 64


def normalize_config(
    text: str,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    filename: str | None = None,
    repo_id: str | None = None,
) -> NormalizeResult:
    result = NormalizeResult(kind=DocKind.HF_CONFIG, source_url=source_url)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        result.warnings.append(f"config.json is not readable JSON: {type(exc).__name__}")
        return result
    if not isinstance(data, dict):
        result.warnings.append("config.json is not a JSON object; no record")
        return result
    repo = repo_id or repo_id_from_url(source_url) or repo_id_from_filename(filename)
    if not repo:
        result.warnings.append("config.json without a repo id (URL or file name); no record")
        return result
    rb = RecordBuilder(display_name(repo), source_url, observed_at)
    text_cfg = _text_config(data)

    archs = data.get("architectures")
    if isinstance(archs, list) and archs and isinstance(archs[0], str):
        rb.set("architecture", archs[0], "config:architectures", f"architectures={archs}")

    ctx = context_from_config(text_cfg)
    if ctx:
        rb.set("context_length", ctx[0], ctx[1], ctx[2])

    experts = experts_from_config(text_cfg)
    if experts:
        rb.set("experts", experts[0], "config:experts", experts[1])

    rb.add_link(LinkType.MODEL_CARD, f"https://huggingface.co/{repo}")
    result.records.append(rb.build(repo))
    return result


def _text_config(data: dict[str, Any]) -> dict[str, Any]:
    """Multimodal configs keep the language model's numbers in `text_config`."""
    inner = data.get("text_config") or data.get("llm_config")
    if isinstance(inner, dict) and not any(isinstance(data.get(k), int) for k in _CONTEXT_KEYS):
        return {**data, **inner}
    return data


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def context_from_config(cfg: dict[str, Any]) -> tuple[int, str, str] | None:
    """(context, method, evidence) from the position limit and rope scaling."""
    for key in _CONTEXT_KEYS:
        base = _int(cfg.get(key))
        if base is not None and base >= _MIN_CONTEXT:
            break
    else:
        return None
    evidence = f"{key}={base}"
    rope = cfg.get("rope_scaling")
    if isinstance(rope, dict):
        kind = str(rope.get("rope_type") or rope.get("type") or "").lower()
        factor = rope.get("factor")
        original = _int(rope.get("original_max_position_embeddings"))
        if (
            kind in _EXTENDING_ROPE
            and isinstance(factor, int | float)
            and not isinstance(factor, bool)
            and factor > 1
        ):
            start = original or base
            extended = int(start * factor)
            if extended > base:
                return (
                    extended,
                    "config:rope_scaling",
                    f"{evidence}; rope_scaling {kind} factor={factor} over {start}",
                )
    return base, f"config:{key}", evidence


def experts_from_config(cfg: dict[str, Any]) -> tuple[Experts, str] | None:
    for key in _EXPERT_KEYS:
        total = _int(cfg.get(key))
        if total is not None and total > 1:
            per_token = _int(cfg.get("num_experts_per_tok"))
            evidence = f"{key}={total}" + (
                f", num_experts_per_tok={per_token}" if per_token else ""
            )
            return Experts(total=total, per_token=per_token), evidence
    return None
