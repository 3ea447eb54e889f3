"""Terms classes from ScanCode's LicenseDB, as bundled with license-expression.

The index (2,579 licenses, model licenses included: Llama, Gemma, Falcon, OpenMDW,
OpenRAIL, Tongyi Qianwen, ...) gives each license key a category; `terms_of` maps a
license id or a `license_name` as written to our terms class through it. LicenseDB's
categories do not tell non-commercial apart (CC BY-NC is "Source-available"), so the
words of the name decide that first (`licenses.terms_for`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from normalizer.models import LicenseTerms

_CATEGORY_TERMS = {
    "Permissive": LicenseTerms.PERMISSIVE,
    "Public Domain": LicenseTerms.PERMISSIVE,
    "Copyleft": LicenseTerms.PERMISSIVE,  # OSI-style, as the rubric classes GPL
    "Copyleft Limited": LicenseTerms.PERMISSIVE,
    "Proprietary Free": LicenseTerms.RESTRICTED,
    "Free Restricted": LicenseTerms.RESTRICTED,
    "Source-available": LicenseTerms.RESTRICTED,
    "Commercial": LicenseTerms.PROPRIETARY,
}


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """license key -> category (read once from license-expression's package data)."""
    path = resources.files("license_expression") / "data" / "scancode-licensedb-index.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {
        r["license_key"]: r["category"]
        for r in rows
        if r.get("category") and not r.get("is_exception") and not r.get("is_deprecated")
    }


def _key_form(name: str) -> str:
    """`Llama3.1` / `OpenMDW` / `tongyi qianwen` -> `llama-3.1` / `openmdw` / `tongyi-qianwen`."""
    s = re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-")
    s = re.sub(r"(?<=[a-z])(?=\d)", "-", s)
    return re.sub(r"-(?:license|licence|agreement|terms|of|use|tou|la|cla)\b", "", s).strip("-")


@lru_cache(maxsize=1024)
def category_of(name: str) -> str | None:
    """The LicenseDB category of a license id or name, when one key or one family of
    keys (`tongyi-qianwen-2023`, `llama-3.1-license-2024`) answers unambiguously."""
    index = _index()
    if not name.strip():
        return None
    raw = name.strip().lower()
    if raw in index:
        return index[raw]
    form = _key_form(name)
    if len(form) < 4:
        return None
    cats = {c for k, c in index.items() if k == form or _key_form(k) == form}
    if not cats:
        cats = {c for k, c in index.items() if k.startswith(form + "-")}
    return cats.pop() if len(cats) == 1 else None


def terms_of(name: str) -> LicenseTerms | None:
    cat = category_of(name)
    return _CATEGORY_TERMS.get(cat) if cat else None
