"""The model names a post puts forward itself: its title, its release statements (`we
release X`), an opening `X is a ... model`, else its download links, and Hub links whose
anchor is a size. The first step of deciding what a post announces."""

from __future__ import annotations

import re

from normalizer import model_names as mn
from normalizer.budget import check as check_budget
from normalizer.identity import family_of, is_moving_alias, repo_id_from_url
from normalizer.name_sizes import SIZE_TOKEN, checkpoint_base, ckey, norm_size, size_of
from normalizer.post import Post, body_sentences, per_post
from normalizer.regex import compiled
from normalizer.release_lines import heading_releases, listed_releases, old_news_lines, unwrap
from normalizer.text import drop_pictographs, inline_to_text, strip_code
from normalizer.text import sentences as sentences_of

_NAME = (
    r"(?:`[^`\n]{2,60}`|[A-Z][\w.]*(?:[- ](?:[A-Z0-9][\w.]*))*"
    r"(?:-(?:mini|nano|micro|tiny|small|medium|large|pro|plus|max|lite|flash|turbo)\b)?)"
)
"""A released name: capitalised tokens (`Qwen2.5-VL 72B`), a code span, and a size word
in lower case after a hyphen (`Sky-T1-mini`)."""
_RELEASE_RES = [
    # `New model available: x`, a heading `New Model: Grok 4 Fast`
    re.compile(
        rf"\bnew models?(?: (?:is |are )?available)?:\s*(?P<names>{_NAME}(?:\s*\(aka\s*{_NAME}\))?)",
        re.I,
    ),
    # a changelog item: `` `x-latest` (aka `x-2402`): our new flagship model ``
    re.compile(
        r"^\W*(?P<names>`[^`\n]{2,60}`(?:\s*\(aka\s*`[^`\n]{2,60}`\))?)\s*:\s*(?:(?:our|a)\s+)?"
        r"(?:brand[- ])?new\s+(?:[\w-]+\s+){0,2}?models?\b",
        re.I,
    ),
    re.compile(
        rf"\b[Ww]e(?:'re|’re| have| are)?(?: also)?(?: (?:proud|excited|happy|pleased|thrilled|delighted) to)? (?:released|open[- ]sourced|launched|releasing|open[- ]sourcing|release|introduce|introducing|present|presenting|unveil|unveiling|announce|announcing|open[- ]weighting|open[- ]weight)\s+"
        rf"(?:the\s+(?:new\s+)?|a\s+new\s+|our\s+(?:new\s+)?)?(?P<names>{_NAME}(?:\s*\(\s*{_NAME}\s*\))?"
        rf"(?:\s*(?:,|and)\s+{_NAME}(?:\s*\(\s*{_NAME}\s*\))?)*)"
    ),
    re.compile(
        rf"(?P<names>{_NAME}(?:\s+and\s+{_NAME})?)\s+(?:was|were|is|are|has been|have been)\s+(?:also\s+|now\s+)?"
        rf"(?:released|open[- ]sourced|launched|open[- ]weighted)\b"
    ),
    # `DeepSeek has released DeepSeek-V3`, `Acme has open-sourced Foo-7B`
    re.compile(
        rf"\b(?:has|have)\s+(?:just\s+|now\s+|also\s+)?(?:released|open[- ]sourced|launched|unveiled|introduced|announced)\s+"
        rf"(?:the\s+(?:new\s+)?|a\s+new\s+|its\s+(?:new\s+)?|their\s+(?:new\s+)?)?(?P<names>{_NAME})"
    ),
    # `Foo-7B is now available on Hugging Face`
    # (`now available in <a product>` is another maker's model brought to a product)
    re.compile(
        rf"(?P<names>{_NAME})\s+(?:is|are)\s+now\s+(?:openly\s+)?available\s+"
        r"(?:for download|(?:on|from|via)\s+(?:Hugging ?Face|the (?:Hugging Face )?Hub|ModelScope|GitHub))"
    ),
    re.compile(rf"\breleased as\s+(?P<names>{_NAME})"),
    # `There is also a new small version of Llama Guard, Llama Guard 3 1B, that ...`
    re.compile(
        rf"\b(?:also|is|released) an? new (?:\w+ ){{0,2}}version of [A-Z][\w.-]*(?: [A-Z0-9][\w.-]*){{0,3}},\s*(?P<names>{_NAME})\s*,"
    ),
    re.compile(
        r"\b[Oo]ur (?:latest|newest|new|next[- ]generation)\s+(?:[\w-]+\s+){0,3}?models?,\s*(?P<names>`[^`\n]{2,60}`)"
    ),
    re.compile(
        rf"\breleased (?:two|three|four|several|\d+) new models?:\s*(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s*and\s+{_NAME})?)"
    ),
    # `the series has undergone a significant upgrade with the launch of two enhanced
    # versions, Qwen-VL-Plus and Qwen-VL-Max`
    re.compile(
        r"\b(?:launch|release|introduction|debut)\s+of\s+(?:(?:two|three|four|several|\d+)\s+)?"
        r"(?:(?:new|enhanced|upgraded|improved)\s+)?(?:versions?|models?|variants?),?\s+"
        rf"(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s*and\s+{_NAME})?)"
    ),
    # `We're excited to announce two new additions to the SmolVLM family: SmolVLM-256M and …`
    re.compile(
        r"\b(?:announc|introduc|releas|present|unveil)\w*\s+(?:(?:two|three|four|several|\d+)\s+)?"
        r"new\s+(?:additions?|members?|models?|sizes?)\s+(?:to|of|in)\s+(?:the|our)\s+[\w.-]+\s+"
        rf"(?:family|series|lineup):\s*(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s*and\s+{_NAME})?)",
        re.I,
    ),
]
_RELEASE_HINT_RE = re.compile(
    r"releas|launch|introduc|present|unveil|announc|debut|open[- ](?:sourc|weight)|version of|"
    r"models?,|(?i:available|new models?:|new\s+(?:[\w-]+\s+){0,2}?models?\b)"
)
"""A word every pattern of `_RELEASE_RES` needs, in its case: a sentence without one is
not searched with the nine (most sentences; the searches were a tenth of a corpus pass).
A new release pattern needs one of these words, or a word added here
(tests/test_normalizer_speed.py wants an example sentence per pattern)."""
_PAST_RELEASE_RE = re.compile(
    r"\b(?:when|as|after|since|before|once|because|until)\s+(?:we|they|it)\b|\b(?:last|earlier|previously|ago)\b|"
    r"\bupdate\s*:",  # `September 2023 Update: Falcon 180B has just been released`
    re.I,
)
_PAST_DATE_RE = re.compile(
    r"^[^.;]{0,40}?\b(?:on|in)\s+(?:beta\s+on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"^[^.;]{0,40}?\b(?:last|earlier|previously|ago)\b",
)


_PRESENT_RELEASE_RE = re.compile(
    r"\btoday\b|\bwe(?:'re|’re| are) (?:now )?(?:releasing|launching|introducing|open[- ]sourcing|announcing)\b|"
    r"\bwe(?:'re|’re| are)? (?:(?:very|so) )?(?:proud|excited|happy|pleased|thrilled|delighted) to "
    r"(?:release|introduce|announce|present|launch|open[- ]source|unveil)\b|"
    r"\bwe (?:also )?(?:release|introduce|present|open[- ]source)\s+(?=(?-i:[A-Z`*]))",
    re.I,
)
_GENERIC_NAMES = {
    "we",
    "the",
    "it",
    "this",
    "today",
    "meta",
    "google",
    "model",
    "models",
    "our",
    "they",
    "both",
    "llm",
    "llms",
    "a",
    "an",
    "all",
    "these",
    "in",
    "and",
}


def _vendor_words() -> set[str]:
    from normalizer.vendors import _data

    d = _data()
    words = {mn.compact(v) for v in d["orgs"].values()} | {mn.compact(k) for k in d["mentions"]}
    return {w for w in words if len(w) >= 2}


def names_in_title(post: Post, repo_families: set[str]) -> list[str]:
    """The model names a title announces, best first: the vetted title segment most used
    in the body, then names the same segment joins (`Sarvam 105B and Sarvam 30B`)."""
    cands = mn.title_names(post.title, _vendor_words())
    if not cands:
        return []
    body = body_sentences(post)
    title_only = sum(len(s.split()) for s in body) < 12
    body_plain = post.doc.plain
    best: tuple[int, int, str] | None = None
    best_cand: mn.TitleName | None = None
    for pos, c in enumerate(cands):
        name = c.name
        if name.lower() in _GENERIC_NAMES or len(name) < 2:
            continue
        if not _title_name_ok(c, name, repo_families, body, title_only):
            continue
        parts = [re.escape(p) for p in re.split(r"[-_ ]+", name) if p]
        rx = compiled(r"(?<![\w])" + r"[-_ ]?".join(parts) + r"(?![\w])", re.I)
        count = len(rx.findall(body_plain))
        if best is not None and count >= 2 and ckey(name.lower()).startswith(ckey(best[2].lower())):
            best = (max(count, best[0]), -pos, name)  # `Llama` then `Llama 3.2`: the precise name
            best_cand = c
        elif best is None or count > best[0]:
            best = (count, -pos, name)
            best_cand = c
    if best is None or best_cand is None:
        return []
    out = [best[2]]
    for other in best_cand.others:
        if mn.has_version(other) and _title_name_ok(
            mn.TitleName(other, "", "", best_cand.announced, []),
            other,
            repo_families,
            body,
            title_only,
        ):
            out.append(other)
    return out


def _repo_supported(name: str, repo_families: set[str]) -> bool:
    ck = ckey(family_of(name))
    return bool(ck) and any(f == ck or f.startswith(ck) for f in repo_families)


def _title_name_ok(
    c: mn.TitleName, name: str, repo_families: set[str], body: list[str], title_only: bool
) -> bool:
    """A title name backed by the post's own Hub links is a model; any other must look
    like one, be presented by the title, and (without a version) be called a model."""
    if _repo_supported(name, repo_families) and _model_like(name, repo_families):
        return True
    if not mn.plausible_name(name) or not mn.rest_ok(c) or not mn.tagline_ok(c):
        return False
    if mn.called_non_model(name, body):
        return False
    if title_only:
        return mn.has_version(name)
    if not mn.has_version(name) and not mn.called_model(name, body):
        return False
    return not (mn.only_distributed(name, body) and not c.announced)


def _model_like(name: str, repo_families: set[str]) -> bool:
    """A model name has a digit, a hyphen, inner capitals (`SmolLM`, `DBRX`) or names a linked repo family."""
    if re.search(r"\d|-", name) or re.search(r"[a-z][A-Z]|^[A-Z]{2,}", name):
        return True
    ck = ckey(family_of(name))
    return any(f == ck or f.startswith(ck) for f in repo_families)


def release_names(post: Post) -> list[tuple[str, list[str], str]]:
    """(name, aliases, evidence) for models named in release statements."""
    return list(_release_scan(post)[0])  # (a copy: callers extend it)


def history_lines(post: Post) -> list[str]:
    """The dated news lines that are the repository's history (earlier generations),
    folded by `fold_line`: whatever they release or list is not this post's news."""
    return _release_scan(post)[1]


def fold_line(text: str) -> str:
    """A line's letters and digits only, for finding a sentence inside a line whatever
    markup either kept."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@per_post
def _release_scan(post: Post) -> tuple[list[tuple[str, list[str], str]], list[str]]:
    out: list[tuple[str, list[str], str]] = []
    lines = strip_code(post.markup)
    lines = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", lines)
    lines = re.sub(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)", r"\1", lines)
    lines = re.sub(r"<[^>]+>", " ", lines).replace("**", "").replace("__", "")
    lines = re.sub(r"[ \t]{2,}", " ", drop_pictographs(lines))
    lines = unwrap(lines)  # a paragraph's soft-wrapped lines: one sentence
    body = body_sentences(post)
    blocked = bool(post.title) and not mn.title_is_announcing(post.title or "")
    # one verdict per name and post: long posts repeat names, and each verdict scans the body
    non_model: dict[str, bool] = {}
    unsupported: dict[str, bool] = {}

    def not_a_model(main: str, aliases: list[str]) -> bool:
        if main not in non_model:
            non_model[main] = mn.called_non_model(main, body)
        if non_model[main] or aliases:
            return non_model[main]
        if main not in unsupported:
            unsupported[main] = (
                not mn.has_version(main)
                and not mn.is_known_family(main)
                and not mn.called_model(main, body)
            )
        return unsupported[main]

    found_at: list[int] = []  # the line of each name found
    for i, line in enumerate(lines.splitlines()):
        if not i & 255:
            check_budget()
        if not _RELEASE_HINT_RE.search(line):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if not _RELEASE_HINT_RE.search(sentence):
                continue
            for rx in _RELEASE_RES:
                for m in rx.finditer(sentence):
                    names = m.group("names")
                    if _PAST_RELEASE_RE.search(
                        sentence[: m.start("names")]
                    ) or _PAST_DATE_RE.search(sentence[m.end("names") :]):
                        continue  # `as we noted when we launched X`, `we launched X on August 11`
                    found = _split_names(names)
                    apposed = not found  # the sentence calls the name a model itself
                    if apposed:
                        found = _appositive_name(names, sentence[m.end("names") :])
                    for main, aliases in found:
                        if not_a_model(main, aliases) and not (apposed and not non_model[main]):
                            continue  # `we are releasing Claude Science (an app)`
                        if blocked and not _PRESENT_RELEASE_RE.search(sentence):
                            continue  # a how-to / news title: only "today we release X" counts
                        out.append((main, aliases, inline_to_text(sentence)[:300]))
                        found_at.append(i)
    old_news = old_news_lines(lines, set(found_at))
    out = [o for o, i in zip(out, found_at, strict=True) if i not in old_news]
    split = lines.splitlines()
    history = [fold_line(split[i]) for i in sorted(old_news)]
    listed = listed_releases(split, old_news, _name_ok)
    headed = [r for r in heading_releases(post.doc.parsed) if _name_ok(r[0])]
    return out + listed + headed, history


_INTRO_RE = re.compile(
    rf"^(?:The\s+)?(?P<names>{_NAME}(?:\s+and\s+{_NAME})?)\s+(?:is|are)\s+(?:a|an|our|the)\s+"
    r"(?:[\w(),-]+\s+){0,10}?(?:models?|LLMs?|MoE|family|series)\b"
)


def intro_names(post: Post) -> list[tuple[str, list[str], str]]:
    """`Kimi K2 is a state-of-the-art mixture-of-experts (MoE) language model …` opening
    one of the first paragraphs: the document is about that model (only asked when the
    document has no title and no release statement)."""
    body = body_sentences(post)
    paragraphs = [b for b in post.doc.parsed.blocks if b.kind == "paragraph"][:8]
    for block in paragraphs:
        first = sentences_of(block.text)[:1]
        m = _INTRO_RE.match(first[0]) if first else None
        if not m:
            continue
        out = []
        for main, aliases in _split_names(m.group("names")):
            if _name_ok(main) and not mn.called_non_model(main, body):
                out.append((main, aliases, first[0][:300]))
        if out:
            return out
    return []


def download_names(post: Post) -> list[tuple[str, list[str], str]]:
    """The model family a document's Hub links point at most (at least twice, one org):
    a README's download table. Only asked when nothing else names the model."""
    counts: dict[tuple[str, str], list[str]] = {}
    for link in post.doc.parsed.links:
        if link.target != "hub-model" or not link.repo_id:
            continue
        org, short = link.repo_id.split("/", 1)
        base = checkpoint_base(short)
        key = (org.lower(), ckey(family_of(base)))
        counts.setdefault(key, [])
        if link.repo_id not in counts[key]:
            counts[key].append(link.repo_id)
    if not counts:
        return []
    key, repos = max(counts.items(), key=lambda kv: len(kv[1]))
    if len(repos) < 2 or sum(len(r) >= len(repos) for r in counts.values()) > 1:
        return []  # one link, or two families linked as often: no verdict
    name = family_of(min((r.split("/")[1] for r in repos), key=len))
    return [(name, [], f"download links: {', '.join(repos[:4])}")] if _name_ok(name) else []


_RELEASE_VERB_RE = re.compile(
    r"\b(?:releas(?:e|es|ed|ing)|launch(?:es|ed|ing)?|introduc(?:e|es|ed|ing)|open[- ]sourc(?:e|es|ed|ing)|"
    r"announc(?:e|es|ed|ing)|unveil(?:s|ed|ing)?)\b",
    re.I,
)
_SIZED_ANCHOR_RE = re.compile(rf"^(?:the\s+|our\s+|a\s+)?({SIZE_TOKEN})\b(.*)$", re.I)
_ANCHOR_GENERIC = {
    "llm",
    "model",
    "models",
    "version",
    "base",
    "checkpoint",
    "instruct",
    "chat",
    "new",
    "parameter",
    "parameters",
}
_MODALITY_RE = re.compile(
    r"^(?:vlm|vision|vl|audio|speech|omni|image|video|embedding|reranker|tts|asr)$", re.I
)


def sized_anchor_releases(post: Post) -> list[tuple[str, str, str | None]]:
    """(repo id, size, modality or None) for Hub links in a present release sentence whose
    anchor is a size (`[11B LLM](https://huggingface.co/tiiuae/falcon-11B)`)."""
    out: list[tuple[str, str, str | None]] = []
    link_re = re.compile(
        r"\[([^\[\]]{1,60})\]\((https?://(?:www\.)?(?:huggingface\.co|hf\.co)/[^)\s]+)\)"
    )
    for line in strip_code(post.markup).splitlines():
        if "](" not in line:
            continue
        for sent in re.split(r"(?<=[.!?])\s+", line):
            for m in link_re.finditer(sent):
                before = sent[: m.start()]
                if not _RELEASE_VERB_RE.search(before) or _PAST_RELEASE_RE.search(before):
                    continue
                a = _SIZED_ANCHOR_RE.match(inline_to_text(m.group(1)).strip())
                rid = repo_id_from_url(m.group(2))
                if (
                    not a
                    or not rid
                    or "/" not in rid
                    or re.search(r"/(?:spaces|datasets)/", m.group(2))
                ):
                    continue
                size = norm_size(
                    *re.match(
                        r"(\d+x\d+(?:\.\d+)?|\d+(?:\.\d+)?)([bm])", a.group(1).lower()
                    ).groups()
                )
                if size is None or size_of(rid.split("/")[-1]) != size:
                    continue
                words = [w for w in re.split(r"[\s-]+", a.group(2).lower()) if w]
                if any(w not in _ANCHOR_GENERIC and not _MODALITY_RE.match(w) for w in words):
                    continue  # the anchor names something else (`11B tokenizer`)
                modal = next((w for w in words if _MODALITY_RE.match(w)), None)
                if modal is None:
                    modal = next(
                        (t for t in re.split(r"[-_]", rid.split("/")[-1]) if _MODALITY_RE.match(t)),
                        None,
                    )
                out.append((rid, size, modal))
    return out


def _split_names(names: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for chunk in re.split(r"\s*(?:,|\band\b)\s*(?![^(]*\))", names):
        chunk = chunk.strip()
        if not chunk:
            continue
        m = re.match(r"^(.*?)\s*\(\s*(?:aka\s*)?(.*?)\s*\)\s*$", chunk)
        main, alias = (m.group(1), m.group(2)) if m else (chunk, None)
        main = main.strip().strip("`").strip().rstrip(".,;:!?")
        aliases = [alias.strip("`").strip()] if alias else []
        if aliases and is_moving_alias(main):  # `x-latest (aka x-2402)`: the dated id names it
            main, aliases = aliases[0], [main]
        if not _name_ok(main):
            continue
        out.append((main, aliases))
    return out


_APPOSITIVE_RE = re.compile(
    r"^\s*,\s*(?:a|an|our)\s+(?:brand[- ])?new\s+(?:[\w-]+\s+){0,4}?(?:models?|family|series|LLMs?)\b"
)


def _appositive_name(names: str, after: str) -> list[tuple[str, list[str]]]:
    """A one-word name the sentence itself calls a new model (`introducing Bolmo, a new
    family of byte-level language models`): plausible without a digit or a hyphen."""
    name = names.strip().strip("`")
    plausible = re.fullmatch(r"[A-Z][a-z]\w{2,}", name) and name.lower() not in _GENERIC_NAMES
    return [(name, [])] if plausible and _APPOSITIVE_RE.match(after) else []


def _name_ok(name: str) -> bool:
    words = name.split()
    if not name or name.lower() in _GENERIC_NAMES or words[0].lower() in _GENERIC_NAMES:
        return False
    if not mn.plausible_name(name):
        return False
    return (
        bool(re.search(r"\d", name))
        or len(words) >= 2
        or "-" in name
        or name.isupper()
        and len(name) > 2
    )
