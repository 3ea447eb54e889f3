"""Hugging Face model card (README.md with YAML front matter) -> one ToolRecord."""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any

from normalizer import candidates, extract, licenses
from normalizer.builder import RecordBuilder
from normalizer.extract import ModelRef
from normalizer.facts import vocabulary
from normalizer.frontmatter import as_list, is_stub, split
from normalizer.identity import display_name, repo_id_from_filename, repo_id_from_url
from normalizer.models import BaseModelRelation, DocKind, LinkType, NormalizeResult, ToolRecord
from normalizer.parse import ParsedDocument
from normalizer.taxonomy import category_for
from normalizer.text import Doc, inline_to_text
from normalizer.vendors import vendor_for_org

_QUANT_RE = re.compile(
    r"(?:^|[-_.])(gguf|ggml|awq|gptq|exl2|mlx|bnb|4bit|8bit|int4|int8|fp8|nf4)(?:$|[-_.])", re.I
)
_RELATIONS = {r.value for r in BaseModelRelation}


def resolve_repo_id(source_url: str | None, filename: str | None) -> str | None:
    return repo_id_from_url(source_url) or repo_id_from_filename(filename)


def page_url(repo_id: str | None) -> str | None:
    return f"https://huggingface.co/{repo_id}" if repo_id else None


def normalize_card(
    text: str,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    filename: str | None = None,
    repo_id: str | None = None,
) -> NormalizeResult:
    """`repo_id`, when the caller knows it (the crawler does), wins over what the URL
    or file name suggest: a Hub mirror's URLs are not huggingface.co's."""
    result = NormalizeResult(kind=DocKind.HF_CARD, source_url=source_url)
    repo_id = repo_id or resolve_repo_id(source_url, filename)
    if is_stub(text):
        result.warnings.append(f"card is empty or an error stub ({text.strip()[:60]!r}); no record")
        return result
    fm = split(text)
    result.warnings.extend(fm.warnings)
    if repo_id is None:
        result.warnings.append("repo id unknown (no Hugging Face URL or <org>__<name> file name)")
    record = card_record(
        fm.data,
        fm.own_body,
        repo_id,
        source_url,
        observed_at,  # provenance: only a real URL
    )
    if record is None:
        result.warnings.append("card has no model name; no record")
        return result
    result.records.append(record)
    return result


def card_record(
    meta: dict[str, Any],
    body: str,
    repo_id: str | None,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    method_prefix: str = "frontmatter",
) -> ToolRecord | None:
    """Build the record from card metadata + body (also used for API `cardData`)."""
    doc = Doc(body)
    name = display_name(repo_id) if repo_id else _heading_name(body)
    if not name:
        return None
    siblings = sibling_sections(doc.parsed, name)
    if siblings:  # a family card: what its siblings' sections say is not about this model
        doc.__dict__["parsed"] = doc.parsed.without_sections(siblings)
    ref = ModelRef(name=name, repo_id=repo_id)
    rb = RecordBuilder(name, source_url, observed_at)
    tags = as_list(meta.get("tags"))

    org = ref.org
    if org:
        rb.set("vendor", vendor_for_org(org), "hf:org", f"org={org}")

    lic = licenses.from_card_metadata(meta)
    if lic:
        rb.set("license", lic, f"{method_prefix}:license", _lic_evidence(meta))
    else:
        lic = licenses.from_tags(tags)
        if lic:
            rb.set("license", lic, f"{method_prefix}:tags", f"license:{lic.id}")
    extract.license_into(rb, doc)
    lic_obj = rb.values.get("license")
    if lic_obj is not None and lic_obj.url:
        url = lic_obj.url
        if not url.startswith("http") and repo_id:
            url = f"https://huggingface.co/{repo_id}/blob/main/{url}"
        rb.add_link(LinkType.LICENSE, url)
    elif isinstance(meta.get("license_link"), str) and repo_id and rb.has("license"):
        rb.add_link(
            LinkType.LICENSE, f"https://huggingface.co/{repo_id}/blob/main/{meta['license_link']}"
        )

    task = meta.get("pipeline_tag")
    if isinstance(task, str) and task.strip():
        rb.set("task", task.strip(), f"{method_prefix}:pipeline_tag", f"pipeline_tag: {task}")

    _base_model_into(
        rb, meta, tags, body, ref, method_prefix, doc.plain.lower() if siblings else None
    )

    rb.set("open_weights", True, "hf:model-repo", "Hugging Face model repository")

    extract.params_into(rb, ref, doc)
    if rb.values.get("task") in vocabulary()["task"]["no_window_tasks"]:
        rb.refused.add("context_length")  # its `context length 77` is a prompt encoder's
    extract.context_into(rb, ref, doc)
    extract.release_date_into(rb, ref, doc)
    names = [*ref.names(), *([repo_id] if repo_id else [])]
    candidates.refine(rb, doc.parsed, names, single_model=True, tags=tags)

    tagline = extract.tagline_from(doc, ref)
    rb.set("tagline", tagline, "text:first-sentence", tagline)

    category = category_for(rb.values.get("task"), tags, name)
    rb.set("category", category, "taxonomy", f"task={rb.values.get('task')} tags={tags[:8]}")

    if repo_id:
        rb.add_link(LinkType.MODEL_CARD, page_url(repo_id))
        rb.add_link(LinkType.WEIGHTS, f"https://huggingface.co/{repo_id}/tree/main")
    for tag in tags:
        if tag.startswith("arxiv:"):
            rb.add_link(LinkType.PAPER, f"https://arxiv.org/abs/{tag.split(':', 1)[1]}")
    return rb.build(repo_id)


def _compact(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def sibling_sections(parsed: ParsedDocument, name: str) -> set[int]:
    """Headings that name another model of the card's family (`snowflake-arctic-embed-xs`
    on the `-m` card): same leading name, a different model, neither name inside the other."""
    own = _compact(name.rsplit("/", 1)[-1])
    if len(own) < 6:
        return set()
    out: set[int] = set()
    for i, h in enumerate(parsed.headings):
        text = h.text.strip()
        if len(text.split()) > 4 or not re.search(r"[-_.]|\d", text):
            continue
        head = _compact(text.rsplit("/", 1)[-1])
        if not head or head in own or (own in head and " " in text):
            continue  # the base this card repacks, or this model's own heading
        common = len(os.path.commonprefix([own, head]))
        if common >= max(6, int(0.6 * len(own))):
            out.add(i)
    return out


def _lic_evidence(meta: dict[str, Any]) -> str:
    parts = [f"{k}: {meta[k]}" for k in ("license", "license_name", "license_link") if meta.get(k)]
    return "; ".join(parts)


def _base_model_into(
    rb: RecordBuilder,
    meta: dict[str, Any],
    tags: list[str],
    body: str,
    ref: ModelRef,
    method_prefix: str,
    kept_text: str | None = None,
) -> None:
    own = (ref.repo_id or "").lower()
    bases = [b for b in as_list(meta.get("base_model")) if b.lower() != own]
    relation: str | None = None
    raw_rel = meta.get("base_model_relation")
    if isinstance(raw_rel, str) and raw_rel in _RELATIONS:
        relation = raw_rel
    tag_bases: list[tuple[str, str | None]] = []
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag.split(":", 1)[1]
        if ":" in rest:
            rel, rid = rest.split(":", 1)
            tag_bases.append((rid, rel if rel in _RELATIONS else None))
        else:
            tag_bases.append((rest, None))
    if bases:
        base = bases[0]
        method, evidence = f"{method_prefix}:base_model", f"base_model: {base}"
    elif tag_bases:
        base = next((b for b, _ in tag_bases if b.lower() != own), "")
        method, evidence = f"{method_prefix}:tags", f"base_model:{base}"
        if not base:
            return
    else:
        found = extract.base_from_text(
            body,
            ref,
            # on a family card, a base that only a sibling's section names is the sibling's
            None if kept_text is None else lambda b: b.rsplit("/", 1)[-1].lower() in kept_text,
        )
        if not found:
            return
        base, evidence, rel = found
        rb.set("base_model", base, "text:base-model", evidence, confidence=0.7)
        rb.set("base_model_relation", rel.value, "text:base-model", evidence, confidence=0.6)
        return
    rb.set("base_model", base, method, evidence)
    if relation is None:
        relation = next((r for b, r in tag_bases if b == base and r), None)
    if relation is None:
        if _QUANT_RE.search(ref.name) or any(_QUANT_RE.search(t) for t in tags):
            relation = BaseModelRelation.QUANTIZED.value
        elif any(t.lower() in ("merge", "mergekit") for t in tags) or len(bases) > 1:
            relation = BaseModelRelation.MERGE.value
        elif (
            any(t.lower() in ("lora", "peft", "adapter") for t in tags)
            or str(meta.get("library_name", "")).lower() == "peft"
        ):
            relation = BaseModelRelation.ADAPTER.value
        else:
            relation = BaseModelRelation.FINETUNE.value
        rb.set("base_model_relation", relation, "derived:name/tags", evidence, confidence=0.7)
    else:
        rb.set("base_model_relation", relation, method, evidence)


def _heading_name(body: str) -> str | None:
    for line in body.splitlines():
        m = re.match(r"^\s*#{1,2}\s+(.+)$", line)
        if m:
            name = inline_to_text(m.group(1))
            name = re.split(r"[:：|]", name)[0].strip()
            if name:
                return name[:80]
    return None
