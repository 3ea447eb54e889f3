"""Which sentences of a post speak for which announced model: a fact stated in prose is
the records' its sentence or clause names, a family's, or every model's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from normalizer.announced import Group, group_regex
from normalizer.budget import check as check_budget
from normalizer.name_sizes import name_regex, norm_size
from normalizer.post import Post
from normalizer.text import sentences as sentences_of

# a sentence that goes on about the records the previous one named
CONTINUES_RE = re.compile(
    r"^(?:It|This model|The model|They|These models|Both models|The models)\b"
)
_FAMILY_WORD_RE = re.compile(r"\s+(?:models|series|family)\b", re.I)


def in_family(key: str, family: str) -> bool:
    """`deepseekvl2tiny` is of `deepseekvl2`; `glm4.5` and `qwen25` are not of `glm4`, `qwen2`."""
    return key == family or (
        key.startswith(family) and not (key[len(family)].isdigit() or key[len(family)] == ".")
    )


def names_family(rx: re.Pattern[str], sentence: str) -> bool:
    """Every mention of a record's name is the family's (`X models`, `the X series`)."""
    hits = list(rx.finditer(sentence))
    return bool(hits) and all(_FAMILY_WORD_RE.match(sentence, m.end()) for m in hits)


_BARE_SIZE_RE = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)\s?([BbMm])(?![\w-])")


def other_sizes_only(sentence: str, g: Group, sibling_sizes: set[str | None]) -> bool:
    """`The 2B and 7B models of the series are open-sourced`: a family sentence naming
    sibling sizes and not this record's is about those siblings only."""
    if not g.size or not sibling_sizes:
        return False
    named = {norm_size(n, u) for n, u in _BARE_SIZE_RE.findall(sentence)}
    return bool(named & sibling_sizes) and g.size not in named


_CLAUSE_RE = re.compile(
    r";\s+|,\s+(?:while|whereas)\s+|,?\s+(?:and|but)\s+(?=(?:we|they|it|its|our)\b)", re.I
)


def own_clauses(
    sentence: str, own_re: re.Pattern[str], others: set[int], group_res: list[re.Pattern[str]]
) -> str:
    """`We open-source A-2B and A-7B under Apache 2.0, and we release the API of A-72B`:
    of a sentence naming other records too, the clauses that name this one (when its
    clauses name them apart)."""
    if not others:
        return sentence
    clauses = [c for c in _CLAUSE_RE.split(sentence) if c and c.strip()]
    if len(clauses) < 2:
        return sentence
    mine = [c for c in clauses if own_re.search(c)]
    theirs_apart = all(
        not own_re.search(c) for c in clauses if any(group_res[o].search(c) for o in others)
    )
    return " ".join(mine) if mine and theirs_apart else sentence


@dataclass
class MentionIndex:
    """Which records and families each sentence of the post names: computed once per post
    (sentences x records), not once per record (records x sentences x records)."""

    groups: list[set[int]]
    families: list[set[str]]
    sections: list[int | None]
    """The one record the sentence's section heading names (a heading below the title
    naming exactly one record: `## New Model: Claude Opus 4.1`), else None."""


def mention_index(post: Post, groups: list[Group]) -> MentionIndex:
    fam_res: dict[str, re.Pattern[str]] = {}
    for g in groups:
        if g.family_display:
            fam_res.setdefault(g.ckey, name_regex(g.family_display))
    group_res = [group_regex(g) for g in groups]
    per_group: list[set[int]] = []
    per_family: list[set[str]] = []
    for i, s in enumerate(post.doc.sentences):
        if not i & 255:
            check_budget()
        per_group.append({gi for gi, rx in enumerate(group_res) if rx.search(s)})
        per_family.append(_family_mentions(s, fam_res))
    return MentionIndex(per_group, per_family, _heading_records(post, group_res))


def _heading_records(post: Post, group_res: list[re.Pattern[str]]) -> list[int | None]:
    parsed = post.doc.parsed
    owner: dict[int, int] = {}
    if len(group_res) > 1:  # one record: every section is its own anyway
        for k, h in enumerate(parsed.headings):
            if h.level < 2:
                continue
            named = [gi for gi, rx in enumerate(group_res) if rx.search(h.text)]
            if len(named) == 1:
                owner[k] = named[0]
    if not owner:
        return [None] * len(post.doc.sentences)
    return [owner.get(k) for k in parsed.sentence_sections]


def _family_mentions(s: str, families: dict[str, re.Pattern[str]]) -> set[str]:
    return {ck for ck, rx in families.items() if rx.search(s)}


_COLLECTIVE_RE = re.compile(
    r"\bboth (?:of (?:the|these|our) )?models\b|\ball (?:\w+ )?(?:of the |these |our )?models\b|\beach (?:of the )?models?\b",
    re.I,
)


def collective(post: Post, mains: list[Group]) -> list[str]:
    """Sentences about every model of a post: one naming all of them (`StarCoder and
    StarCoderBase are ...`) or `both models`, and the next sentence of the same paragraph
    when it names no model (`... we trained a ~15B parameter model`)."""
    if len(mains) < 2:
        return []
    res = [group_regex(o) for o in mains]
    out: list[str] = []
    for para in re.split(r"\n\s*\n", post.doc.plain):
        prev = False
        for s in sentences_of(para):
            named = [bool(rx.search(s)) for rx in res]
            if all(named) or (_COLLECTIVE_RE.search(s) and not any(named)):
                out.append(s)
                prev = True
                continue
            if prev and not any(named) and not _PARAM_OTHER_RE.search(s):
                out.append(s)
            prev = False
    return out


_PARAM_OTHER_RE = re.compile(r"\b(?:than|compared|versus|vs\.?|outperform\w*)\b", re.I)
