"""License ids (Hugging Face vocabulary), SPDX ids, terms class, prose detection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from normalizer.models import License, LicenseTerms

P, R, NC = LicenseTerms.PERMISSIVE, LicenseTerms.RESTRICTED, LicenseTerms.NON_COMMERCIAL

# HF license id -> (display name, terms). SPDX ids are resolved by license-expression.
HF_LICENSES: dict[str, tuple[str, LicenseTerms]] = {
    "apache-2.0": ("Apache License 2.0", P),
    "mit": ("MIT License", P),
    "afl-3.0": ("Academic Free License 3.0", P),
    "artistic-2.0": ("Artistic License 2.0", P),
    "bsl-1.0": ("Boost Software License 1.0", P),
    "bsd": ("BSD License", P),
    "bsd-2-clause": ("BSD 2-Clause License", P),
    "bsd-3-clause": ("BSD 3-Clause License", P),
    "bsd-3-clause-clear": ("BSD 3-Clause Clear License", P),
    "c-uda": ("Computational Use of Data Agreement", P),
    "cc": ("Creative Commons", P),
    "cc0-1.0": ("CC0 1.0", P),
    "cc-by-2.0": ("CC BY 2.0", P),
    "cc-by-2.5": ("CC BY 2.5", P),
    "cc-by-3.0": ("CC BY 3.0", P),
    "cc-by-4.0": ("CC BY 4.0", P),
    "cc-by-sa-3.0": ("CC BY-SA 3.0", P),
    "cc-by-sa-4.0": ("CC BY-SA 4.0", P),
    "cc-by-nc-2.0": ("CC BY-NC 2.0", NC),
    "cc-by-nc-3.0": ("CC BY-NC 3.0", NC),
    "cc-by-nc-4.0": ("CC BY-NC 4.0", NC),
    "cc-by-nd-4.0": ("CC BY-ND 4.0", P),
    "cc-by-nc-nd-3.0": ("CC BY-NC-ND 3.0", NC),
    "cc-by-nc-nd-4.0": ("CC BY-NC-ND 4.0", NC),
    "cc-by-nc-sa-2.0": ("CC BY-NC-SA 2.0", NC),
    "cc-by-nc-sa-3.0": ("CC BY-NC-SA 3.0", NC),
    "cc-by-nc-sa-4.0": ("CC BY-NC-SA 4.0", NC),
    "cdla-sharing-1.0": ("CDLA Sharing 1.0", P),
    "cdla-permissive-1.0": ("CDLA Permissive 1.0", P),
    "cdla-permissive-2.0": ("CDLA Permissive 2.0", P),
    "wtfpl": ("WTFPL", P),
    "ecl-2.0": ("Educational Community License 2.0", P),
    "epl-1.0": ("Eclipse Public License 1.0", P),
    "epl-2.0": ("Eclipse Public License 2.0", P),
    "etalab-2.0": ("Etalab Open License 2.0", P),
    "eupl-1.1": ("EUPL 1.1", P),
    "eupl-1.2": ("EUPL 1.2", P),
    "agpl-3.0": ("GNU AGPL v3.0", P),
    "gfdl": ("GNU FDL", P),
    "gpl": ("GNU GPL", P),
    "gpl-2.0": ("GNU GPL v2.0", P),
    "gpl-3.0": ("GNU GPL v3.0", P),
    "lgpl": ("GNU LGPL", P),
    "lgpl-2.1": ("GNU LGPL v2.1", P),
    "lgpl-3.0": ("GNU LGPL v3.0", P),
    "isc": ("ISC", P),
    "h-research": ("H Research License", NC),
    "intel-research": ("Intel Research Use License", NC),
    "lppl-1.3c": ("LaTeX Project Public License v1.3c", P),
    "ms-pl": ("Microsoft Public License", P),
    "apple-ascl": ("Apple Sample Code License", P),
    "apple-amlr": ("Apple Machine Learning Research Model License", NC),
    "mpl-2.0": ("Mozilla Public License 2.0", P),
    "odc-by": ("ODC-By", P),
    "odbl": ("ODbL", P),
    "openmdw-1.0": ("OpenMDW 1.0", P),
    "openrail++": ("OpenRAIL++-M", R),
    "openrail": ("OpenRAIL", R),
    "creativeml-openrail-m": ("CreativeML OpenRAIL-M", R),
    "bigscience-bloom-rail-1.0": ("BigScience BLOOM RAIL 1.0", R),
    "bigscience-openrail-m": ("BigScience OpenRAIL-M", R),
    "bigcode-openrail-m": ("BigCode OpenRAIL-M", R),
    "osl-3.0": ("Open Software License 3.0", P),
    "postgresql": ("PostgreSQL License", P),
    "ofl-1.1": ("SIL Open Font License 1.1", P),
    "ncsa": ("University of Illinois/NCSA Open Source License", P),
    "unlicense": ("The Unlicense", P),
    "zlib": ("zlib License", P),
    "pddl": ("ODC Public Domain Dedication and License", P),
    "lgpl-lr": ("LGPL for Linguistic Resources", P),
    "deepfloyd-if-license": ("DeepFloyd IF Research License", NC),
    "fair-noncommercial-research-license": ("FAIR Noncommercial Research License", NC),
    "llama2": ("Llama 2 Community License", R),
    "llama3": ("Llama 3 Community License", R),
    "llama3.1": ("Llama 3.1 Community License", R),
    "llama3.2": ("Llama 3.2 Community License", R),
    "llama3.3": ("Llama 3.3 Community License", R),
    "llama4": ("Llama 4 Community License", R),
    "gemma": ("Gemma Terms of Use", R),
    "other": ("Other", R),
}

# SPDX ids where license-expression does not resolve the HF id itself.
_SPDX_OVERRIDES: dict[str, str | None] = {
    "gpl": None,
    "lgpl": None,
    "bsd": None,
    "cc": None,
    "gfdl": None,
    "openrail": None,
    "openrail++": None,
    "other": None,
}

# Custom (`license: other`) names: terms by keyword, checked in order.
_NAME_TERMS: list[tuple[re.Pattern[str], LicenseTerms]] = [
    (
        re.compile(r"non[-_ ]?commercial|\bnc\b|[-_]nc[-_]|research|noncommercial|academic", re.I),
        NC,
    ),
    (re.compile(r"apache|\bmit\b|bsd", re.I), P),
]

# Prose: phrase -> license id (order matters: most specific first).
_VERSION = r"(\d(?:\.\d)?)"
_PROSE_RULES: list[tuple[re.Pattern[str], str]] = [
    # `the Modified MIT License`: the Hub's license_name for such custom terms
    (re.compile(r"\bmodified[- ]MIT\b", re.I), "modified-mit"),
    # not `an Apache 2.0-based license` (a custom license derived from it)
    (
        re.compile(
            r"\bapache(?:[- ]license)?[-, ]*\(?(?:version |v)?2(?:\.0)?\)?(?![.\d]*[- ]?based)(?:\b|(?<=\)))",
            re.I,
        ),
        "apache-2.0",
    ),
    (re.compile(r"\bMIT\b(?:[- ](?:open[- ]source[- ])?licen[cs]e|\s+licensed)", re.I), "mit"),
    (re.compile(r"\blicen[cs]ed under (?:the )?\[?MIT\b", re.I), "mit"),
    (
        re.compile(
            r"\b(?:cc[- ]by[- ]nc|creative commons attribution[- ]non[- ]?commercial)[- ]?(\d\.\d)",
            re.I,
        ),
        "cc-by-nc-{0}",
    ),
    (re.compile(r"\bcc[- ]by[- ]sa[- ]?(\d\.\d)", re.I), "cc-by-sa-{0}"),
    (re.compile(r"\bcc[- ]by[- ]?(\d\.\d)", re.I), "cc-by-{0}"),
    (re.compile(r"\b(?:GPL|general public license)[- ]?v?(3|2)(?:\.0)?\b", re.I), "gpl-{0}.0"),
    (re.compile(r"\bbigcode[- ]openrail[- ]m\b", re.I), "bigcode-openrail-m"),
    (re.compile(r"\bcreativeml[- ]openrail[- ]m\b", re.I), "creativeml-openrail-m"),
    (
        re.compile(r"\bllama\s?" + _VERSION + r"(?:['’]s)?\s+(?:community\s+)?licen[cs]e", re.I),
        "llama{0}",
    ),
    (re.compile(r"\blicen[cs]e as (?:meta )?llama\s?" + _VERSION + r"\b", re.I), "llama{0}"),
    (
        re.compile(
            r"\blicen[cs]e(?:\s+agreement)?\s+(?:for|of)\s+(?:meta\s+)?llama\s?" + _VERSION, re.I
        ),
        "llama{0}",
    ),
    (re.compile(r"\blicensing agreement for (?:meta )?llama\s?" + _VERSION, re.I), "llama{0}"),
    (re.compile(r"\bgemma (?:licen[cs]e|terms of use)", re.I), "gemma"),
    (re.compile(r"\bnvidia open model licen[cs]e", re.I), "nvidia-open-model-license"),
    (re.compile(r"\bqwen research licen[cs]e", re.I), "qwen-research"),
    (
        re.compile(r"\b(?:tongyi qianwen|qianwen|qwen)(?:[- ]?\d(?:\.\d)?)? licen[cs]e", re.I),
        "qwen",
    ),
    (re.compile(r"\bdeepseek (?:model )?licen[cs]e", re.I), "deepseek"),
    (re.compile(r"\byi (?:series models )?(?:community )?licen[cs]e", re.I), "yi-license"),
]

# Links to a license text: URL pattern -> id.
_LINK_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"apache\.org/licenses/LICENSE-2\.0", re.I), "apache-2.0"),
    (re.compile(r"opensource\.org/licenses/MIT", re.I), "mit"),
    (re.compile(r"creativecommons\.org/licenses/by-nc/(\d\.\d)", re.I), "cc-by-nc-{0}"),
    (re.compile(r"creativecommons\.org/licenses/by-sa/(\d\.\d)", re.I), "cc-by-sa-{0}"),
    (re.compile(r"creativecommons\.org/licenses/by/(\d\.\d)", re.I), "cc-by-{0}"),
    (re.compile(r"ai\.google\.dev/gemma/terms", re.I), "gemma"),
    (re.compile(r"llama[-_]?models/.*?/llama(\d(?:_\d)?)/LICENSE", re.I), "llama{0}"),
    (
        re.compile(r"(?:^|[./])([a-z0-9]+)\.(?:com|ai|org)/legal/(open-model-license)\b", re.I),
        "{0}-{1}",
    ),
]


@dataclass(frozen=True)
class LicenseHit:
    license: License
    evidence: str | None = None


def normalise_id(raw: str) -> str:
    """`Apache-2.0 ` -> `apache-2.0`; keeps the HF vocabulary spelling."""
    s = raw.strip().strip("\"'").lower()
    s = re.sub(r"\s+", "-", s)
    aliases = {"apache2": "apache-2.0", "apache-2": "apache-2.0", "apache 2.0": "apache-2.0"}
    return aliases.get(s, s)


@lru_cache(maxsize=1)
def _spdx_licensing():  # type: ignore[no-untyped-def]
    """The SPDX license index: built once (building it takes ~80 ms), shared by all lookups."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@lru_cache(maxsize=512)
def spdx_for(license_id: str) -> str | None:
    """SPDX id for a HF license id where one exists (via license-expression)."""
    if license_id in _SPDX_OVERRIDES:
        return _SPDX_OVERRIDES[license_id]
    if license_id not in HF_LICENSES:
        return None
    try:
        licensing = _spdx_licensing()
        parsed = licensing.parse(license_id, validate=False)
        key = str(parsed)
        sym = licensing.known_symbols.get(key.lower()) or licensing.known_symbols.get(key)
        if sym is None:
            return None
        return str(sym.key)
    except Exception:  # unknown / unparsable id: no SPDX
        return None


# `modified MIT`, `custom Apache`, `Apache 2.0-based`: a license derived from an open one
# is custom terms with conditions, not the open license itself.
_DERIVED_NAME = re.compile(r"modified|custom|[-_ ]based\b|variant|derived|amended", re.I)


def terms_for(license_id: str, name: str | None = None) -> LicenseTerms | None:
    """Hub vocabulary first; then the words of a custom name (non-commercial, derived);
    then ScanCode LicenseDB's category for the id or name; then open-license words."""
    if license_id in HF_LICENSES and license_id != "other":
        return HF_LICENSES[license_id][1]
    text = f"{license_id} {name or ''}"
    nc_pattern, nc_terms = _NAME_TERMS[0]
    if nc_pattern.search(text):
        return nc_terms
    if _DERIVED_NAME.search(text):
        return R
    from normalizer.licensedb import terms_of

    db_terms = terms_of(license_id) or (terms_of(name) if name else None)
    if db_terms is not None:
        return db_terms
    for pattern, terms in _NAME_TERMS[1:]:
        if pattern.search(text):
            return terms
    if license_id == "other":
        return None
    # A named custom license for released weights: custom terms with conditions.
    return R


def make_license(
    license_id: str,
    *,
    name: str | None = None,
    url: str | None = None,
    terms: LicenseTerms | None = None,
) -> License:
    lid = normalise_id(license_id)
    known = HF_LICENSES.get(lid)
    return License(
        id=lid,
        name=name or (known[0] if known and lid != "other" else None),
        spdx=spdx_for(lid),
        url=url,
        terms=terms or terms_for(lid, name),
    )


def from_card_metadata(data: dict[str, object]) -> License | None:
    """`license`, `license_name`, `license_link` (card front matter or API cardData)."""
    raw = data.get("license")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if not raw or not isinstance(raw, str):
        return None
    lid = normalise_id(raw)
    link = data.get("license_link")
    url = link if isinstance(link, str) and link.startswith("http") else None
    lname = data.get("license_name")
    if lid == "other" and isinstance(lname, str) and lname.strip():
        custom = normalise_id(lname)
        return make_license(custom, name=lname.strip(), url=url)
    return make_license(lid, url=url)


def from_tags(tags: list[str]) -> License | None:
    for tag in tags:
        if tag.startswith("license:"):
            return make_license(tag.split(":", 1)[1])
    return None


_DERIVED_LEAD = re.compile(
    r"\b(?:based on|derived from|modified|adapted from)\s+(?:the\s+|an?\s+)?$", re.I
)


def _derived(text: str, start: int) -> bool:
    """`a license based on Apache 2.0`: the named license is the model of a custom one."""
    return bool(_DERIVED_LEAD.search(text[max(0, start - 30) : start]))


def from_prose(text: str) -> str | None:
    """First license id a sentence names, else None."""
    for pattern, template in _PROSE_RULES:
        m = pattern.search(text)
        if m and not _derived(text, m.start()):
            groups = [g.replace("_", ".") for g in m.groups() if g]
            return template.format(*[g.lower() for g in groups])
    return None


_CLOSED_VALUE = re.compile(r"\bproprietary\b|\bclosed\b|\bAPI[- ]only\b", re.I)
_NC_VALUE = re.compile(r"\bnon[- ]?commercial\b|\bresearch[- ]only\b", re.I)


def _compact(s: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", s.lower())


@lru_cache(maxsize=1)
def _compact_ids() -> dict[str, str]:
    """Compacted Hub ids and display names (`OpenRAIL++-M`) -> Hub id."""
    by_name = {_compact(name): k for k, (name, _) in HF_LICENSES.items() if k != "other"}
    return {**by_name, **{_compact(k): k for k in HF_LICENSES if k != "other"}}


def from_value(value: str) -> License | None:
    """A license as a field states it (`License: MIT`, a table's License cell): a name
    or an id rather than a sentence. Custom variants of an open license keep no id of
    that license; closed and non-commercial values keep their terms without an id."""
    v = value.strip().strip("*_`").strip()
    if not v or len(v) > 120:
        return None
    if _DERIVED_NAME.search(v):
        short = "(" not in v and len(v.split()) <= 3
        return make_license(normalise_id(v), name=v) if short else License(terms=R)
    lid = from_prose(v) or from_prose(f"{v} License")
    if lid:
        return make_license(lid)
    bare = re.sub(r"(?i)[\s-]*(?:license|licence)\b.*$", "", v) or v
    known = _compact_ids().get(_compact(bare)) or _compact_ids().get(_compact(v))
    if known:
        return make_license(known)
    if _NC_VALUE.search(v):
        return License(terms=NC)
    if _CLOSED_VALUE.search(v):
        return License(terms=LicenseTerms.PROPRIETARY)
    from normalizer.licensedb import terms_of

    terms = terms_of(v)
    return License(name=v, terms=terms) if terms else None


_MENTION_CUE = re.compile(
    r"licen[cs]|terms of use|apache|\bMIT\b|\bcc[- ]by|creative commons|GPL|general public|openrail",
    re.I,
)


@lru_cache(maxsize=4096)
def mentions(text: str) -> tuple[tuple[int, str], ...]:
    """Every license a sentence names, as (position, id), in text order; where two rules
    match the same words the more specific (earlier) rule wins."""
    if not _MENTION_CUE.search(text):  # every prose rule needs one of these words
        return ()
    spans: list[tuple[int, int, str]] = []
    for pattern, template in _PROSE_RULES:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e, _ in spans) or _derived(text, m.start()):
                continue
            groups = [g.replace("_", ".").lower() for g in m.groups() if g]
            spans.append((m.start(), m.end(), template.format(*groups)))
    return tuple(sorted((s, lid) for s, _, lid in spans))


def from_link(url: str) -> str | None:
    for pattern, template in _LINK_RULES:
        m = pattern.search(url)
        if m:
            groups = [g.replace("_", ".").lower() for g in m.groups() if g]
            return template.format(*groups)
    return None


# A custom license the text shows to be `restricted` (commercial use with conditions)
# without naming an id: a Responsible AI License, an acceptable-use policy, "very
# restrictive conditions".
_CUSTOM_RESTRICTED = re.compile(
    r"\bresponsible ai licen[cs]e|\b(?:open)?rail(?:[- ]m)? licen[cs]e|\bacceptable[- ]use polic(?:y|ies)\b|"
    r"\brestrictive (?:conditions|terms)\b|\b(?:with|under) (?:\w+\s+){0,2}?(?:usage|use) restrictions\b|\bcommercial(?:ly)?(?: use)?\s+(?:\w+\s+){0,4}under (?:\w+\s+){0,3}conditions\b",
    re.I,
)


def custom_restricted(sentence: str) -> bool:
    """The sentence licenses the model under custom terms with conditions (no id)."""
    return bool(_CUSTOM_RESTRICTED.search(sentence)) and not _NEGATED_USE.search(sentence)


_NEGATED_USE = re.compile(r"\b(?:no|without)\s+(?:an?\s+)?(?:acceptable[- ]use|restrict)", re.I)


_LICENSE_CONTEXT = re.compile(
    r"licen[cs]|governed by|terms of use|released under|available under|open[- ]source",
    re.I,
)
_NEGATED = re.compile(r"\b(?:not|except|excluding|other than|unlike|originally|previously)\b", re.I)


def find_in_sentences(sentences: list[str]) -> LicenseHit | None:
    """A license named in prose: 'released under the Apache 2.0 license', 'Llama 2 license'."""
    for sent in sentences:
        if not _LICENSE_CONTEXT.search(sent):
            continue
        lid = from_prose(sent)
        if lid is None:
            continue
        if _NEGATED.search(sent):
            continue
        return LicenseHit(make_license(lid), evidence=sent[:400])
    return None
