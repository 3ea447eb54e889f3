"""License and open weights of one announced model: a post's license sentence may be about
its code, other sizes or another model, and a closed model is told by its API only."""

from __future__ import annotations

import re

from normalizer import licenses
from normalizer.announced import Group, group_regex
from normalizer.builder import RecordBuilder
from normalizer.extract import ModelRef
from normalizer.models import License, LicenseTerms
from normalizer.name_sizes import SIZE_TOKEN, norm_size
from normalizer.post import Post
from normalizer.post_tables import spec_tables
from normalizer.tables import rows_for

_OPEN_RE = re.compile(
    r"\b(?:(?:have |has |been |are |is |were |was |also )open[- ]?sourced?|open[- ]?source(?:d)? release|"
    r"open[- ]access|open[- ]weights? release|weights (?:are|is) (?:now )?(?:available|released)|released? the weights|"
    r"download the weights|(?:models|available) on the (?:hugging face )?hub|on the hugging face hub|"
    r"made available under an open license|following models are open[- ]sourced|"
    r"\bwe(?:'re|’re| are)? (?:now |also )?open[- ]?sourcing\b|\b(?:of )?them open[- ]?sourced\b|"
    r"\bwe (?:have )?(?:also )?released (?:the |our )?(?:\w+ ){0,2}(?:checkpoints|weights)\b|"
    r"\bopen[- ]weight(?:ing|ed)\b|\bfully[- ]open(?:[- ]source)?\s+(?:[\w-]+\s+){0,2}?models?\b|"
    r"\bweights (?:are |is )?(?:now )?(?:available |hosted |published )?on (?:hugging ?face|the (?:hugging face )?hub|modelscope)\b|"
    r"\b(?:accessible|downloadable|available to download) (?:\w+ ){0,3}?on (?:hugging ?face|the (?:hugging face )?hub)\b(?!\s+spaces?\b))",
    re.I,
)
_OPEN_EXCLUDE_RE = re.compile(
    r"\b(?:whether|alongside|compar\w*|against|versus|vs\.?|leading|other)\b", re.I
)
_API_ONLY_RE = re.compile(
    r"\bAPI of\b|\bAPI[- ]only\b|\bonly (?:available )?(?:via|through) (?:the |our )?API\b|"
    r"\bnot (?:been )?open[- ]?sourced?\b|\bclosed[- ]source\b|\bproprietary model\b|\bthrough (?:the |our )?API\b",
    re.I,
)
_EXCEPT_RE = re.compile(
    rf"\bexcept (?:for )?(?:the )?((?:{SIZE_TOKEN}|\d+(?:\.\d+)?)(?:\s*(?:,|and|&)\s*(?:{SIZE_TOKEN}|\d+(?:\.\d+)?))*)",
    re.I,
)


_LICENSE_HEADER_RE = re.compile(r"^licen[cs]e$", re.I)


_SOFTWARE_SUBJECT_RE = re.compile(
    r"^\W*(?:it|this|they|these|that)\b|\b(?:library|libraries|framework|toolkit|sdk|codebase|"
    r"code repository|this repository|source code|inference server|container|package)\b|"
    r"^\W*(?:all |the |our )?(?:training |inference |evaluation )?code (?:for|to|is|are|and)\b",
    re.I,
)


def set_license(
    rb: RecordBuilder, g: Group, ref: ModelRef, scoped: list[str], general: list[str], post: Post
) -> None:
    # a sentence naming several licenses (`Apache 2.0, while X is under the Qwen License`)
    # splits them between models: only the spec table or the name's own clause decides
    multi = [s for s in scoped + general if len({lid for _, lid in licenses.mentions(s)}) >= 2]
    single = [s for s in scoped if s not in multi]
    general = [s for s in general if s not in multi]
    hit = licenses.find_in_sentences(single)
    if hit:
        rb.set("license", hit.license, "text:license", hit.evidence, confidence=0.8)
        return
    keys = ref.names()
    for table in spec_tables(post):
        if len(table) < 2:
            continue
        head = table[0]
        cols = [i for i, h in enumerate(head) if _LICENSE_HEADER_RE.search(h.strip())]
        if not cols:
            continue
        rows = rows_for(table[1:], keys)
        vals = {licenses.from_prose(r[cols[0]] + " license") for r in rows if len(r) > cols[0]}
        vals.discard(None)
        if len(vals) == 1:
            lid = vals.pop()
            assert lid is not None
            rb.set(
                "license",
                licenses.make_license(lid),
                "table:license",
                " | ".join(rows[0])[:200],
                confidence=0.8,
            )
            return
    # a sentence naming no model that starts with a pronoun, or is about software, licenses
    # whatever the previous sentence was about (`It ... is distributed under the Apache 2 license`)
    general = [
        s
        for s in general
        if not _SOFTWARE_SUBJECT_RE.search(s) or re.search(r"\b(?:models?|weights)\b", s, re.I)
    ]
    # a sentence about the model or its weights before one about anything else
    general.sort(key=lambda s: 0 if re.search(r"\b(?:models?|weights)\b", s, re.I) else 1)
    own_re = group_regex(g)
    for s in multi:
        m = own_re.search(s)
        if not m:
            continue
        after = [lid for pos, lid in licenses.mentions(s) if pos >= m.end()]
        if after:
            rb.set("license", licenses.make_license(after[0]), "text:license", s, confidence=0.6)
            return
    for s in general + single:
        lid = _model_license_in(s) if re.search(r"licen[cs]", s, re.I) else None
        if not lid and re.search(r"licen[cs]", s, re.I):
            for anchor, url in post.doc.links:
                if anchor and anchor in s and re.search(r"licen[cs]", anchor, re.I):
                    lid = licenses.from_link(url)
                    if lid:
                        break
        if not lid:
            continue
        exc = _EXCEPT_RE.search(s)
        if exc:
            excluded = {
                norm_size(n, u or "b")
                for n, u in re.findall(r"(\d+(?:\.\d+)?)\s?([BbMm])?", exc.group(1))
            }
            if g.size in excluded:
                continue
        elif licenses._NEGATED.search(s):
            continue
        rb.set("license", licenses.make_license(lid), "text:license", s, confidence=0.7)
        return
    # no license id: custom terms shown to be restricted (`Responsible AI License`,
    # `... which includes an acceptable use policy`, `under very restrictive conditions`)
    for s in scoped + general:
        if licenses.custom_restricted(s):
            rb.set(
                "license",
                License(terms=LicenseTerms.RESTRICTED),
                "text:license-terms",
                s[:300],
                confidence=0.6,
            )
            return


_CODE_SUBJECT_RE = re.compile(
    r"\bcode\b|\blibrar(?:y|ies)\b|\bframework\b|\brepositor(?:y|ies)\b|\btoolkit\b|\bsdk\b", re.I
)


def _model_license_in(s: str) -> str | None:
    """The license a sentence gives the model: not one its own clause gives to code
    (`the model weights ... with OpenRAIL license, all code ... with Apache 2.0 license`)."""
    lid = licenses.from_prose(s)
    if not lid:
        return None

    def for_code(pos: int) -> bool:
        lead = s[max(0, pos - 80) : pos]
        # the clause the license ends: after an earlier license noun's comma (`… with
        # OpenRAIL license, all code …`), not after this clause's own `licensed under`
        cuts = list(re.finditer(r"licen[cs]es?\b\s*(?:,|\band\b)|[;:]", lead, re.I))
        if cuts:
            lead = lead[cuts[-1].end() :]
        return bool(_CODE_SUBJECT_RE.search(lead)) and not re.search(
            r"\bmodels?\b|\bweights\b|\bcheckpoints?\b", lead, re.I
        )

    found = licenses.mentions(s)
    if not any(m == lid for _, m in found):
        return lid
    if any(m == lid and not for_code(pos) for pos, m in found):
        return lid
    return next((m for pos, m in found if not for_code(pos)), None)


def set_open_weights(
    rb: RecordBuilder,
    g: Group,
    scoped: list[str],
    general: list[str],
    primary_open: bool,
    hub_presence: bool,
    only_model: bool = False,
    *,
    contrasted: list[str] | None = None,
    collection: str | None = None,
) -> None:
    if g.repos:
        rb.set("open_weights", True, "text:hf-repo-link", f"https://huggingface.co/{g.repos[0][0]}")
        return
    if g.code_repos:
        rb.set("open_weights", True, "code:hub-repo", g.code_repos[0], confidence=0.8)
        return
    for s in scoped + general:
        m = _OPEN_RE.search(s)
        if m and not _OPEN_EXCLUDE_RE.search(s[max(0, m.start() - 50) : m.start()]):
            rb.set("open_weights", True, "text:open-weights", s, confidence=0.8)
            return
    if g.extra and g.evidence and primary_open and not _API_ONLY_RE.search(g.evidence):
        rb.set("open_weights", True, "text:released-with-open-models", g.evidence, confidence=0.6)
        return
    # `we open-source X-2B and X-7B, and we release the API of X-72B`: this record's own
    # clause, set against its siblings', speaks for it alone
    api_own = next(
        (s for s in contrasted or [] if _API_ONLY_RE.search(s) and not _OPEN_RE.search(s)), None
    )
    if collection and api_own is None:
        rb.set("open_weights", True, "text:hf-collection", collection, confidence=0.7)
        return
    if hub_presence and api_own is None:
        return  # the post points at a model hub: API access is not evidence of a closed model
    if api_own is not None:
        scoped = [api_own]
    # a post about one model that links no model hub: `you can use it through the API`
    # (the sentence names no model) speaks about that model
    for s in scoped + (general if only_model and not g.extra else []):
        if _API_ONLY_RE.search(s):
            rb.set("open_weights", False, "text:api-only", s, confidence=0.7)
            if not rb.has("license"):
                rb.set(
                    "license",
                    License(terms=LicenseTerms.PROPRIETARY),
                    "text:api-only",
                    s,
                    confidence=0.6,
                )
            return
