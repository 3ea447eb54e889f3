"""Model announcement posts (blog posts, release READMEs, changelog entries) -> ToolRecords.

One record per model or size the post ANNOUNCES. Which models are announced:
- the post's primary model name (title / first heading), and every family whose
  name extends it (`DeepSeek-R1` -> `DeepSeek-R1-Distill-Qwen`, `Qwen2.5` -> `Qwen2.5-Coder`);
  their sizes come from Hugging Face links and size lists ("comes in two sizes: 8B and 70B");
- models named in an explicit release statement ("Llama Guard 2 was also released",
  "we have also open-sourced the Qwen2-VL-72B", "New model available: `x`").
Models only compared against (tables of other vendors' models) are not records.

Facts stated in prose apply to the records a sentence names; a sentence naming none
applies to the primary family's records only.

The stages, each a module: `post` reads the post; `post_names`, `size_lists` and
`post_tables` find the names it puts forward; `announced` joins them into the models it
announces; `post_scope` tells which sentences speak for each; `post_license`,
`post_fields` and `_record` here read each record's facts.
"""

from __future__ import annotations

import re
from datetime import datetime

from normalizer import candidates, comparison, tool_lists
from normalizer.announced import Group, announced, group_regex, primary_org
from normalizer.budget import check as check_budget
from normalizer.builder import RecordBuilder
from normalizer.models import DocKind, LinkType, NormalizeResult, ToolRecord
from normalizer.name_sizes import ckey, name_regex
from normalizer.post import Post, hf_collections, hf_org_pages, per_post, read_post
from normalizer.post_fields import set_base, set_context, set_params
from normalizer.post_license import set_license, set_open_weights
from normalizer.post_scope import (
    CONTINUES_RE,
    MentionIndex,
    collective,
    in_family,
    mention_index,
    names_family,
    other_sizes_only,
    own_clauses,
)
from normalizer.regex import compiled
from normalizer.taxonomy import category_for
from normalizer.text import sanitize_line
from normalizer.vendors import (
    vendor_for_domain,
    vendor_for_family,
    vendor_for_org,
    vendor_from_text,
)

_LLM_CUE_RE = re.compile(
    r"(?<![\w-])LLMs?(?![\w-])|\blanguage models?\b|\bchat models?\b|\bfunction calling\b|\binstruct(?:ion)?[- ]tuned\b|"
    r"\bcode (?:completion|generation)\b|\bcoding\b|\breasoning models?\b",
    re.I,
)
_NOT_TEXT_GEN_RE = re.compile(
    r"(?:^|[-_ ])(?:vl|vision|guard|embed\w*|tts|audio|omni|image|diffusion|ocr|rerank\w*|clip|whisper|vlm)(?=$|[-_ \d])",
    re.I,
)
# `SmolVLM2`, `InternVL3`, `GotOCR`: a modality glued to the name in camel case
_CAMEL_MODAL_RE = re.compile(r"(?<=[a-z])(?:VLM?|OCR|TTS|ASR)(?=$|[-_ .\d])")
_MULTIMODAL_RE = re.compile(
    r"\bvision[- ]language models?\b|\bmultimodal models?\b|\bmulti-modal models?\b|\bVLMs?\b",
    re.I,
)
# a sentence that names an LLM together with another modality is no cue for a text model
_MODAL_WORD_RE = re.compile(
    r"\bvisual|\bvision\b|\bimages?\b|\bvideos?\b|\baudio\b|\bspeech\b|multi-?modal|\bVLMs?\b",
    re.I,
)
_NOT_LLM_RE = re.compile(
    r"\bmasked language model|\bencoder[- ]only model|\bfill-mask\b|\b(?:an?|the) embedding model\b",
    re.I,
)


def normalize_announcement(
    text: str,
    source_url: str | None,
    observed_at: datetime | None,
    *,
    filename: str | None = None,
) -> NormalizeResult:
    result = NormalizeResult(kind=DocKind.ANNOUNCEMENT, source_url=source_url)
    if not text.strip():
        result.warnings.append("empty document; no record")
        return result
    post = read_post(text, source_url)
    result.warnings.extend(post.warnings)
    compared = comparison.records(
        post.doc.parsed, post.title, post.url, observed_at, scope=post.topics
    )
    if compared:  # a third-party "A vs B" page: one record per tool it describes
        result.records.extend(compared)
        return result
    groups, primary = announced(post)
    if not groups:
        listed = tool_lists.records(
            post.doc.parsed, post.title, post.url, observed_at, scope=post.topics
        )
        if listed:  # a third-party list of tools: a row or a heading per tool
            result.records.extend(listed)
            return result
        result.warnings.append("no announced model found")
        return result
    org_hint = primary_org(groups, primary)
    main_count = sum(1 for g in groups if not g.extra)
    index = mention_index(post, groups)
    for g in groups:
        check_budget()
        result.records.append(
            _record(g, groups, post, primary, org_hint, main_count, observed_at, index)
        )
    return result


def _own_collection(post: Post, g: Group) -> tuple[str, str] | None:
    """(owner, URL) of the Hub collection the post links for this record's family
    (`collections/sail/sailor-65e1…` for Sailor-7B): the maker keeps its models there."""
    if g.extra:
        return None
    for owner, slug in hf_collections(post):
        name = re.sub(r"-[0-9a-f]{16,}$", "", slug)
        name = re.sub(r"[-_](?:language[-_])?(?:models?|series|family|collection|llms?)$", "", name)
        fam = ckey(name)
        rest = g.ckey[len(fam) :] if g.ckey.startswith(fam) else None
        if len(fam) >= 3 and rest is not None and not re.match(r"[\d.]", rest):  # not Sailor2
            return owner, f"https://huggingface.co/collections/{owner}/{slug}"
    return None


_SUPPORT_RE = re.compile(
    r"\b(?:add(?:ed|s|ing)?|announc\w*|introduc\w*|bring\w*)\s+(?:\w+\s+){0,2}?support\s+for\b"
    r".{0,160}?\b(?:through|via|from)\s+(?:our|the)\s+(?:[\w.-]+\s+){0,3}?(?:provider|integration|partner)s?\b",
    re.I,
)


# `OpenAI's GPT-5 model family is now available on LLM API`: another maker's models,
# brought to this platform
_OTHERS_AVAILABLE_RE = re.compile(
    r"\b[A-Z][\w.&-]*(?:\s[A-Z][\w.&-]*)?['’]s\s+[^.!?]{0,60}?\b(?:is|are)\s+now\s+available\s+"
    r"(?:on|in|via|through)\s+(?!(?:Hugging ?Face|the (?:Hugging Face )?Hub|ModelScope|GitHub)\b)"
)


@per_post
def _platform_support(post: Post) -> bool:
    """The post announces a platform's support for models a provider makes: its date is
    when the platform added them, not when they were released."""
    lead = " ".join([post.title or "", post.topics, *post.doc.sentences[:3]])
    return bool(_SUPPORT_RE.search(lead) or _OTHERS_AVAILABLE_RE.search(lead))


def _record(
    g: Group,
    groups: list[Group],
    post: Post,
    primary: str | None,
    org_hint: str | None,
    main_count: int,
    observed_at: datetime | None,
    index: MentionIndex,
) -> ToolRecord:
    ref = g.ref(org_hint)
    rb = RecordBuilder(g.display, post.url, observed_at)
    rb.aliases = [
        n
        for n in dict.fromkeys(
            [*g.names, *[r for r, _ in g.repos], *g.variant_names, *g.code_repos]
        )
        if n != g.display
    ]

    # which sentences speak about this record (from the post's mention index)
    me = next(i for i, o in enumerate(groups) if o is g)
    same_family_sized = {
        i for i, o in enumerate(groups) if o is not g and o.ckey == g.ckey and o.size
    }
    own_re = group_regex(g)
    group_res = [group_regex(o) for o in groups]
    sibling_sizes = {groups[i].size for i in same_family_sized}
    own: list[str] = []
    contrasted: list[str] = []  # own clauses of sentences that speak of siblings apart
    family_level: list[str] = []
    unscoped: list[str] = []
    prev_own = False
    for i, s in enumerate(post.doc.sentences):
        if "|" in s and s.count("|") >= 2:
            prev_own = False
            continue
        named = index.groups[i]
        fams = index.families[i]
        as_family = {o for o in named if names_family(group_res[o], s)}
        if as_family:  # `DeepSeek-VL2 models are subject to ...`: the family, every size
            named = named - as_family
            fams = fams | {
                x.ckey for o in as_family for x in groups if in_family(x.ckey, groups[o].ckey)
            }
        if me in named or (prev_own and CONTINUES_RE.match(s)):
            clause = own_clauses(s, own_re, named - {me}, group_res) if me in named else s
            own.append(clause)
            if clause != s:
                contrasted.append(clause)
            prev_own = True
            continue
        prev_own = False
        if not named and index.sections[i] == me:  # under a heading naming this record only
            own.append(s)
            continue
        if named:  # names another record: family level only when no sized sibling is named
            if g.ckey in fams and not (named & same_family_sized):
                family_level.append(s)
            continue
        if fams:
            if g.ckey in fams and not other_sizes_only(s, g, sibling_sizes):
                family_level.append(s)
            continue
        unscoped.append(s)
    scoped = own + family_level
    general = unscoped if not g.extra else []

    collection = _own_collection(post, g)
    # vendor
    org = ref.org
    if org:
        rb.set("vendor", vendor_for_org(org), "hf:org", f"org={org}")
    else:
        fv = vendor_for_family(g.display)
        pages = hf_org_pages(post)
        if fv:
            rb.set("vendor", fv[0], "vendors:family", f"{g.display} -> {fv[0]}", confidence=0.8)
        elif collection:  # the owner of the collection the post links for this family
            rb.set(
                "vendor",
                vendor_for_org(collection[0]),
                "hf:collection",
                collection[1],
                confidence=0.7,
            )
        elif len(pages) == 1 and not g.extra:  # the one Hub organisation the post links
            rb.set("vendor", vendor_for_org(pages[0]), "hf:org-page", pages[0], confidence=0.7)
        elif post.url and vendor_for_domain(post.url):
            rb.set(
                "vendor", vendor_for_domain(post.url), "vendors:domain", post.url, confidence=0.7
            )
        else:
            hit = vendor_from_text(
                " ".join(([post.title] if post.title else []) + scoped[:5] + general[:5])
            )
            if hit:
                rb.set("vendor", hit[0], "text:vendor", hit[1], confidence=0.6)

    # license: own sentences > table row > family/unscoped sentences
    set_license(rb, g, ref, scoped, general, post)

    # parameters
    if main_count == 1 and not g.extra:
        shared = family_level + general
    elif not g.extra and not g.size:
        shared = collective(post, [o for o in groups if not o.extra])
    else:
        shared = []
    set_params(rb, g, ref, own, shared, post)

    # context
    set_context(rb, ref, own, family_level, general, post)

    # release date: the post's own date, unless the post only brings others' models to
    # its platform (`support for the latest Claude models through our Anthropic provider`)
    if post.date and not _platform_support(post):
        rb.set("release_date", post.date, "post:date", post.date_evidence)

    # scored candidates for what is still empty (name tokens, facts, own sentences)
    candidates.refine(
        rb,
        post.doc.parsed,
        ref.names(),
        single_model=main_count == 1 and not g.extra,
        sentences=own,
        allow_task=False,
    )
    if g.family_display and not g.extra:  # `[2025/05/08] We release Seed-Coder!`: every size
        families = [g.family_display]  # and every sub-family (`Seed-Coder-Reasoning`)
        if primary and g.ckey.startswith(primary):
            families += [o.family_display for o in groups if o.ckey == primary and o.family_display]
        candidates.news_line_date(rb, post.doc.parsed, list(dict.fromkeys(families)))

    # open weights
    primary_open = any(o.repos and not o.extra for o in groups)
    hub_presence = any(
        re.match(
            r"https?://(?:www\.)?(?:huggingface\.co|hf\.co|modelscope\.cn)/(?!spaces/|studios/|datasets/|blog/|docs/|papers/)[\w-]+",
            url,
        )
        for _, url in post.doc.links
    )
    set_open_weights(
        rb,
        g,
        scoped,
        general,
        primary_open,
        hub_presence,
        main_count == 1,
        contrasted=contrasted,
        collection=collection[1] if collection else None,
    )

    # task: an LLM only if no sentence about the family calls it an encoder / masked LM.
    # A title naming a language model AND a VLM speaks of both: its multimodal cue is the
    # VLM's when another record of the post is named as one
    modal_sibling = any(
        o is not g and not o.extra and _NOT_TEXT_GEN_RE.search(o.display) for o in groups
    ) and bool(_LLM_CUE_RE.search(post.title or ""))
    own_sib_re = compiled(
        group_regex(g).pattern + r"\s+(?:VLMs?|vision|VL|multimodal)\b", re.I
    )  # `Falcon 2 11B VLM` names the sibling
    base_re = name_regex(re.split(r"[-_ ]", g.family_display or g.display)[0])
    if (
        not g.extra
        and not any(_NOT_LLM_RE.search(s) for s in scoped)
        and not _family_called_non_llm(post, base_re)
        and not _NOT_TEXT_GEN_RE.search(g.display)
        and not _CAMEL_MODAL_RE.search(g.display)
        and not _MULTIMODAL_RE.search(
            " ".join([post.title or "", *own[:3]])
            if not modal_sibling
            else " ".join(own_sib_re.sub(" ", x) for x in own[:3])
        )
        and not any(_NOT_TEXT_GEN_RE.search(r) for r, _ in g.repos)
    ):
        cue = next(
            (
                s
                for s in scoped + general + ([post.title] if post.title else [])
                if _LLM_CUE_RE.search(s) and not _MODAL_WORD_RE.search(s)
            ),
            None,
        )
        if cue is None:
            # an API product whose usage example is a chat-completions call is a chat LLM
            api = re.search(
                r"\bchat\.completions\.create\b|/v\d/chat/completions\b|\bChatCompletion\.create\b",
                post.markup,
            )
            cue = api.group(0) if api else None
        if cue:
            rb.set("task", "text-generation", "text:llm", cue, confidence=0.7)

    # base model
    set_base(rb, g, ref, groups, post, own, org_hint)

    # tagline, category, links
    tag = next((sanitize_line(s) for s in own if len(s) > 40 and "|" not in s), None)
    rb.set("tagline", tag, "text:first-sentence", tag)
    cat = category_for(rb.values.get("task"), [], g.display)
    rb.set("category", cat, "taxonomy", f"task={rb.values.get('task')} name={g.display}")
    if post.url:
        rb.add_link(LinkType.ANNOUNCEMENT, post.url)
    for rid, _ in g.repos:
        rb.add_link(LinkType.MODEL_CARD, f"https://huggingface.co/{rid}")
    return rb.build(ref.repo_id)


def _family_called_non_llm(post: Post, base_re: re.Pattern[str]) -> bool:
    """A sentence naming the family word calls it an encoder / masked LM: asked once per
    post and word (every record of the family asked it of every sentence)."""
    key = f"_family_called_non_llm:{base_re.pattern}"
    if key not in post.memo:
        post.memo[key] = any(_NOT_LLM_RE.search(x) for x in post.doc.sentences if base_re.search(x))
    return bool(post.memo[key])
