"""Model identity: repo ids from URLs/file names, slugs, families, aliases.

A family groups the variants editors compare as one tool: sizes, base/instruct/
chat, and quantised re-uploads. `family_of("mixtral-8x22b-instruct")` and
`family_of("Mixtral 8x22B")` give the same slug.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urlparse

_HF_HOSTS = ("huggingface.co", "hf.co", "www.huggingface.co")
_RESERVED = {
    "api",
    "datasets",
    "spaces",
    "docs",
    "blog",
    "models",
    "papers",
    "collections",
    "organizations",
    "settings",
    "join",
    "login",
    "tasks",
    "learn",
    "chat",
}
_REPO_PART = r"[A-Za-z0-9][A-Za-z0-9._-]*"
REPO_ID_RE = re.compile(rf"^{_REPO_PART}/{_REPO_PART}$")


@lru_cache(maxsize=8192)
def repo_id_from_url(url: str | None) -> str | None:
    """`https://huggingface.co/<org>/<name>` (page, /api/models/, /raw/main/README.md, /blob/...)."""
    if not url:
        return None
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    if (parsed.hostname or "").lower() not in _HF_HOSTS:
        return None
    parts = [unquote(p) for p in parsed.path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api" and parts[1] == "models":
        parts = parts[2:]
    if not parts or parts[0] in _RESERVED:
        return None
    if len(parts) >= 2 and parts[1] not in ("resolve", "blob", "raw", "tree", "discussions"):
        candidate = f"{parts[0]}/{parts[1]}"
    else:
        candidate = parts[0]
    candidate = candidate.split("?")[0].split("#")[0]
    if REPO_ID_RE.match(candidate) or re.fullmatch(_REPO_PART, candidate):
        return candidate
    return None


def repo_id_from_filename(filename: str | None) -> str | None:
    """`<org>__<name>.md`, `<org>__<name>__expand-….json` -> repo id (the way `toolwatch
    normalize` users save a repo's card); anything else gives none."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"(?:\.infos)?\.(?:md|json|txt|yaml|yml|html?)$", "", name, flags=re.I)
    parts = [p for p in base.split("__") if p and not p.startswith("expand-")]
    if len(parts) == 1 and name.lower().endswith(".json") and re.fullmatch(_REPO_PART, parts[0]):
        return parts[0]  # a saved API body of a legacy org-less repo (`gpt2.json`)
    if len(parts) != 2:
        return None  # `README.md`, `docker_hub__ai__gemma3.md`: no repo id to be had
    candidate = f"{parts[0]}/{parts[1]}"
    return candidate if REPO_ID_RE.match(candidate) else None


@lru_cache(maxsize=32768)
def slugify(name: str) -> str:
    """Lowercase ASCII slug: `Qwen2.5-VL 72B Instruct` -> `qwen2.5-vl-72b-instruct`."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = s.lower().replace("_", "-")
    s = re.sub(r"[^a-z0-9.]+", "-", s)
    s = re.sub(r"(?<![0-9])\.|\.(?![0-9])", "-", s)
    s = re.sub(r"-{2,}", "-", s).strip("-.")
    return s or "unnamed"


# Tokens that name a variant of a family rather than a different model.
_VARIANT_TOKENS = {
    "base",
    "instruct",
    "instruction",
    "chat",
    "it",
    "hf",
    "sft",
    "dpo",
    "rlhf",
    "preview",
    "gguf",
    "ggml",
    "awq",
    "gptq",
    "exl2",
    "mlx",
    "onnx",
    "fp8",
    "fp16",
    "bf16",
    "int4",
    "int8",
    "4bit",
    "8bit",
    "4bits",
    "8bits",
    "bnb",
    "nf4",
    "q4",
    "q8",
    "q4-k-m",
    "quantized",
    "quant",
    "imat",
    "imatrix",
    "hqq",
    "eetq",
    "w4a16",
    "w8a8",
    "turbo",
    "latest",
    "open",
    "pretrained",
    "vision",
    "text",
    "dense",
}
# A maker's name written before the model name (`Meta-Llama-3` is the `llama-3` family).
_MAKER_PREFIXES = {"meta", "facebook", "google", "microsoft", "nvidia", "ibm", "apple", "amazon"}
_SIZE_RE = re.compile(r"^(?:\d+x)?\d+(?:\.\d+)?[bmk]$|^a\d+(?:\.\d+)?b$|^e\d+b$")
_DATE_RE = re.compile(r"^(?:\d{4}|\d{6}|\d{8})$")
_VERSION_RE = re.compile(r"^v\d+(?:\.\d+)*$")


def _tokens(name: str) -> list[str]:
    short = name.rsplit("/", 1)[-1]
    short = re.sub(r"(?<=\d)_(?=\d)", ".", short)  # `internlm2_5-1_8b`: InternLM2.5-1.8B
    short = re.sub(r"(?<=[a-z])(?<!\dx)(?<![-_ .]a)(?=\d+(?:\.\d+)?[bm]\b)", "-", short.lower())
    return [t for t in slugify(short).split("-") if t]


@lru_cache(maxsize=32768)
def family_of(name: str) -> str:
    """Family slug: sizes, variants, quantisations and date stamps removed.

    `meta-llama/Llama-2-7b-chat-hf` -> `llama-2`; `Mixtral 8x22B` and
    `mixtral-8x22b-instruct` -> `mixtral`; `Qwen2-57B-A14B-Instruct` -> `qwen2`.
    """
    toks = _tokens(name)
    kept: list[str] = []
    for t in toks:
        if t in _VARIANT_TOKENS or _SIZE_RE.match(t) or _DATE_RE.match(t):
            continue
        if re.fullmatch(r"q\d(?:-k)?(?:-[sml])?|k-[sml]|[sml]", t):
            continue
        kept.append(t)
    while kept and _VERSION_RE.match(kept[-1]):
        kept.pop()
    if len(kept) > 1 and kept[0] in _MAKER_PREFIXES:
        kept = kept[1:]
    return "-".join(kept) or (toks[0] if toks else "unnamed")


def display_name(repo_or_name: str) -> str:
    return repo_or_name.rsplit("/", 1)[-1]


def aliases_for(source_id: str | None, name: str, extra: list[str] | None = None) -> list[str]:
    """Other spellings that identify the same model (repo id, short name, spaced form)."""
    out: list[str] = []
    for cand in [source_id, display_name(source_id) if source_id else None, name, *(extra or [])]:
        if cand and cand != name and cand not in out:
            out.append(cand)
    return out


# Tokens that mark a variant of one model (not a different model): the tool key drops
# them so base/instruct/chat repos and quantised re-uploads group under one tool.
_KEY_DROP = _VARIANT_TOKENS - {"preview", "turbo", "latest", "open", "vision", "text", "dense"}
"""Variant tokens, less the ones that name a different product (`Qwen2.5-Turbo`)."""
_QUANT_RE = re.compile(r"i?q\d+")
# GGUF/GGML quant labels (`Q4_K_M`, `IQ3_XS`, `Q8_0`) and precision suffixes, whole.
_QUANT_SUFFIX = re.compile(r"[-_.](?:i?q\d+(?:_[0-9a-z]+)*|f16|f32|bf16)(?=$|[-_.])", re.I)
_DATE_SUFFIX = re.compile(r"[-_ ](?:\d{4}-\d{2}-\d{2}|\d{2}-\d{4})$")
_DISPLAY_PREFIX = re.compile(r"^[^:/]{1,40}:\s+")  # `Mistral: Devstral Small`
_PAREN_RE = re.compile(r"\(([^()]+)\)")
_REVISION_RE = re.compile(r"^v0(?:\.\d+)+$")


_SIZE_WORDS = frozenset({"tiny", "mini", "small", "medium", "large", "full", "xl"})


def _size_word(m: re.Match[str]) -> str:
    """A parenthesised size word names the model (`Orca 2 (Medium)`); anything else in
    parentheses (`(free)`, `(base)`, another name) is left out of the key."""
    inner = m.group(1).strip().lower()
    return f" {inner} " if inner in _SIZE_WORDS else " "


def canonical_slug(name: str) -> str:
    """The tool key: one model at one size, whatever the variant or uploader.

    `meta-llama/Llama-3.1-8B-Instruct`, `meta-llama/Meta-Llama-3.1-8B-Instruct`,
    `Llama 3.1 8B` and `Someone/Llama-3.1-8B-Instruct-GGUF` -> `llama-3.1-8b`;
    `Mixtral-8x22B-Instruct-v0.1` and `Mixtral 8x22B` -> `mixtral-8x22b`.
    """
    short = display_name(_PAREN_RE.sub(_size_word, name)).strip()
    short = _DISPLAY_PREFIX.sub("", _PROVIDER_TAG.sub("", short))
    short = _DATE_SUFFIX.sub("", _QUANT_SUFFIX.sub("", short))
    toks = _tokens(short)
    kept = [
        t
        for t in toks
        if t not in _KEY_DROP and not _QUANT_RE.fullmatch(t) and not _STAMP_RE.fullmatch(t)
    ]
    # repo revisions (`v0.1`) and date stamps (`2407`) are variants; `V3`, `v2` are models
    while kept and (_REVISION_RE.match(kept[-1]) or _DATE_RE.match(kept[-1])):
        kept.pop()
    if len(kept) > 1 and kept[0] in _MAKER_PREFIXES:
        kept = kept[1:]
    kept = [_ZERO_MINOR.sub(r"\1", t) for t in kept]  # `Small 3.0` is `Small 3`
    return "-".join(kept) or slugify(display_name(name))


_ZERO_MINOR = re.compile(r"^(\d+)\.0$")
_PROVIDER_TAG = re.compile(r":[a-z][a-z0-9-]*$")  # `…-instruct:free`, `:extended`
_STAMP_RE = re.compile(r"2[2-9](?:0[1-9]|1[0-2])")  # a YYMM release stamp (`2407`, `2501`)
_STAMP_SEARCH = re.compile(r"(?<![0-9.])(2[2-9](?:0[1-9]|1[0-2])|\d{4}-\d{2}-\d{2})(?![0-9.])")


def release_stamp(name: str | None) -> str | None:
    """The release stamp a vendor dates a model with (`mistral-large-2411`,
    `Mistral-Nemo-Instruct-2407`): two different stamps are two releases."""
    m = _STAMP_SEARCH.search(display_name(name or ""))
    return m.group(1) if m else None


_API_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_API_PREFIXES = ("open-",)
_API_SUFFIXES = ("-latest",)


def is_moving_alias(name: str) -> bool:
    """An API id that moves to each new release (`mistral-large-latest`): it names no
    model of its own once a dated id (`mistral-large-2402`) is given beside it."""
    return name.strip().lower().endswith(_API_SUFFIXES)


def api_name_key(name: str) -> str | None:
    """The model key of a vendor API id: the id without the deployment words vendors put
    around a model's name (`open-mixtral-8x22b`, `mistral-large-latest`). Only for
    API-id-shaped names (lowercase, hyphenated, no spaces, no underscores, no org), so
    a repo or product named with the word (`open_llama_7b`, `OpenChat`) is left alone."""
    short = name.strip()
    if not _API_ID.match(short):
        return None
    stripped = short
    for prefix in _API_PREFIXES:
        stripped = stripped.removeprefix(prefix)
    for suffix in _API_SUFFIXES:
        stripped = stripped.removesuffix(suffix)
    if stripped == short or "-" not in stripped and not re.search(r"\d", stripped):
        return None
    return canonical_slug(stripped)


def canonical_keys(name: str) -> list[str]:
    """The tool key of a name, then of any name it gives in parentheses
    (`Mistral 8x24B (Mixtral 8x22B)` is also `mixtral-8x22b`)."""
    keys = [canonical_slug(name)]
    if (api_key := api_name_key(name)) and api_key not in keys:
        keys.insert(0, api_key)  # the model's own key first: the tool is named for the model
    for inner in _PAREN_RE.findall(name):
        named = re.search(r"[A-Za-z]", inner) and re.search(r"\d", inner)
        if named and (key := canonical_slug(inner)) not in keys:
            keys.append(key)
    return keys
