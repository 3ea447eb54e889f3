"""App and platform catalogs: LM Studio, GPT4All, Azure ML model specs, Docker Hub cards.

Curated by a third party about other makers' models, so their claims carry the
source kind `app-catalog` (ranked after the makers' own documents). What each states:
- LM Studio (`_descriptorVersion`): name, author, numParameters, the canonical Hub
  repo (or page), paper, arch. `datePublished` is when the catalog entry was made,
  not a release date: not read as one.
- GPT4All (`models3.json`, a list with `md5sum`/`filename`): name, parameters in
  words, license and base repo in the HTML description, embedding flag.
- Azure ML (`$schema: .../model.schema.json`): the Hub repo id, license, publisher,
  inference task.
- Docker Hub `ai/*` cards: the Characteristics table (provider, license) and the
  variants table (parameters, context window per size).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml

from normalizer.builder import RecordBuilder
from normalizer.catalogs.common import builder, context, license_named, moe_size, size
from normalizer.identity import repo_id_from_url
from normalizer.models import DocKind, LinkType, NormalizeResult, Parameters, ToolRecord

KIND = DocKind.APP_CATALOG
_HREF = re.compile(r'href="(https?://[^"]+)"')
_LICENSE_ITEM = re.compile(r"License:\s*(?:<a[^>]*>)?([^<]+)", re.I)
_TASKS = {"chat-completion": "text-generation", "text-generation": "text-generation"}
_MAX_YAML = 256 * 1024


def from_json(data: Any, source_url: str | None, observed_at: datetime | None) -> NormalizeResult:
    result = NormalizeResult(kind=KIND, source_url=source_url)
    entries = data if isinstance(data, list) else [data]
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        rb = builder(name.strip(), source_url, observed_at)
        if "_descriptorVersion" in entry:
            result.records.append(_lmstudio(entry, rb))
        elif "md5sum" in entry and "filename" in entry:
            result.records.append(_gpt4all(entry, rb))
    if not result.records:
        result.warnings.append("JSON catalog with no entry of a known format")
    return result


def _lmstudio(entry: dict, rb: RecordBuilder) -> ToolRecord:
    res = entry.get("resources") if isinstance(entry.get("resources"), dict) else {}
    author = entry.get("author") if isinstance(entry.get("author"), dict) else {}
    if isinstance(author.get("name"), str):
        rb.set("vendor", author["name"], "catalog:lmstudio.author", f"author: {author['name']}")
    repo = repo_id_from_url(res.get("canonicalUrl"))
    total = size(entry.get("numParameters"))
    if total:
        ev = f"numParameters: {entry.get('numParameters')}"
        rb.set("parameters", Parameters(total=total), "catalog:lmstudio.numParameters", ev)
    if isinstance(entry.get("description"), str):
        rb.set("description", entry["description"], "catalog:lmstudio.description")
    if res.get("downloadUrl"):
        rb.set("open_weights", True, "catalog:lmstudio.downloadUrl", res["downloadUrl"])
        rb.add_link(LinkType.WEIGHTS, res["downloadUrl"])
    rb.add_link(LinkType.MODEL_CARD if repo else LinkType.DOCS, res.get("canonicalUrl"))
    rb.add_link(LinkType.PAPER, res.get("paperUrl"))
    return rb.build(repo)


def _gpt4all(entry: dict, rb: RecordBuilder) -> ToolRecord:
    desc = entry.get("description") if isinstance(entry.get("description"), str) else ""
    total = size(entry.get("parameters"))
    if total:
        ev = f"parameters: {entry.get('parameters')}"
        rb.set("parameters", Parameters(total=total), "catalog:gpt4all.parameters", ev)
    lic = _LICENSE_ITEM.search(desc)
    if lic and (found := license_named(lic.group(1).strip())) and found.terms:
        rb.set("license", found, "catalog:gpt4all.description", lic.group(0))
    if entry.get("embeddingModel") is True:
        rb.set("task", "feature-extraction", "catalog:gpt4all.embeddingModel", "embeddingModel")
    rb.set("open_weights", True, "catalog:gpt4all.url", entry.get("url"))
    # the download is a community GGUF; the model it is based on is linked in the text
    bases = [r for u in _HREF.findall(desc) if (r := repo_id_from_url(u))]
    if bases:
        rb.set("base_model", bases[0], "catalog:gpt4all.description", f"Based on {bases[0]}")
        rb.set("base_model_relation", "quantized", "catalog:gpt4all.filename", entry["filename"])
    rb.add_link(LinkType.WEIGHTS, entry.get("url"))
    return rb.build(repo_id_from_url(entry.get("url")))


# -- Azure ML ----------------------------------------------------------------------


def is_azureml_spec(text: str) -> bool:
    return "azuremlschemas" in text[:300] and "model.schema.json" in text[:300]


def from_azureml_spec(
    text: str, source_url: str | None, observed_at: datetime | None
) -> NormalizeResult:
    result = NormalizeResult(kind=KIND, source_url=source_url)
    if len(text) > _MAX_YAML:
        result.warnings.append("Azure ML spec larger than 256 KiB; not read")
        return result
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        result.warnings.append(f"Azure ML spec is not YAML: {type(exc).__name__}")
        return result
    meta = data.get("system_metadata") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or not isinstance(data.get("name"), str):
        result.warnings.append("Azure ML spec without name/system_metadata; no record")
        return result
    repo = meta.get("huggingFaceModelId")
    repo = repo if isinstance(repo, str) and "/" in repo else None
    rb = builder(repo.rsplit("/", 1)[-1] if repo else data["name"], source_url, observed_at)
    if isinstance(meta.get("publisher"), str):
        rb.set("vendor", meta["publisher"], "catalog:azureml.publisher", meta["publisher"])
    if (lic := license_named(meta.get("license"))) and lic.terms:
        rb.set("license", lic, "catalog:azureml.license", f"license: {meta.get('license')}")
    tasks = meta.get("tasks") if isinstance(meta.get("tasks"), dict) else {}
    inference = tasks.get("inferenceTasks") if isinstance(tasks, dict) else None
    if isinstance(inference, list) and len(inference) == 1 and inference[0] in _TASKS:
        task = _TASKS[inference[0]]
        rb.set("task", task, "catalog:azureml.inferenceTasks", f"inferenceTasks: {inference}")
    if repo:
        rb.add_link(LinkType.MODEL_CARD, f"https://huggingface.co/{repo}")
    result.records.append(rb.build(repo))
    return result


# -- Docker Hub ai/* cards ------------------------------------------------------------

_ROW = re.compile(r"^\|(.+)\|\s*$", re.M)
_TITLE = re.compile(r"^#\s+(.+)$", re.M)


def is_docker_card(text: str) -> bool:
    return "## Available model variants" in text and "docker model" in text


def _table(text: str, heading: str) -> list[list[str]]:
    start = text.find(heading)
    if start < 0:
        return []
    section = text[start:].split("\n## ", 2)[0] if heading.startswith("##") else text[start:]
    rows = []
    for m in _ROW.finditer(section.split("\n\n\n")[0]):
        cells = [c.strip().strip("*").strip() for c in m.group(1).split("|")]
        if cells and not set(cells[0]) <= set("-: "):
            rows.append(cells)
    return rows


_NAME_SIZE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?[BM](?![\w])")


def _sized_name(title: str, label: str, n_sizes: int) -> str:
    """The card's title names the model; with several sizes each record names its own."""
    if n_sizes == 1:
        return title
    compact = label.replace(" ", "")
    if _NAME_SIZE.search(title):
        return _NAME_SIZE.sub(compact, title, count=1)
    return f"{title} {compact}"


def from_docker_card(
    text: str, source_url: str | None, observed_at: datetime | None, *, filename: str | None
) -> NormalizeResult:
    """One record per parameter size in the variants table (quantisations are variants)."""
    result = NormalizeResult(kind=KIND, source_url=source_url)
    title = _TITLE.search(text)
    if not title:
        result.warnings.append("Docker model card without a title; no record")
        return result
    traits = {row[0].lower(): row[1] for row in _table(text, "## Characteristics") if len(row) > 1}
    variants = _table(text, "## Available model variants")[1:]
    sizes: dict[str, list[str]] = {}
    for row in variants:
        if len(row) >= 4:
            sizes.setdefault(row[1], row)
    family = title.group(1).strip()
    for label, row in sizes.items():
        rb = builder(_sized_name(family, label, len(sizes)), source_url, observed_at)
        if provider := traits.get("provider"):
            rb.set("vendor", provider, "catalog:docker.provider", f"Provider | {provider}")
        if (lic := license_named(traits.get("license"))) and lic.terms:
            rb.set("license", lic, "catalog:docker.license", f"License | {traits.get('license')}")
        ev = " | ".join(row[1:4])
        if moe := moe_size(label):
            rb.set("parameters", Parameters(total=moe[0], active=moe[1]), "catalog:docker", ev)
        elif total := size(label):
            rb.set("parameters", Parameters(total=total), "catalog:docker.parameters", ev)
        if ctx := context(row[3]):
            rb.set("context_length", ctx, "catalog:docker.context", ev, confidence=0.8)
        rb.set("open_weights", True, "catalog:docker.variants", row[0][:200])
        result.records.append(rb.build())
    if not result.records:
        result.warnings.append("Docker model card without a variants table; no record")
    return result
