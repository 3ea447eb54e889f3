"""Which models a post announces: the names, links, size lists and spec tables found by the
earlier stages, joined into one `Group` per family and size with the repos and spellings
that name it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from normalizer.extract import ModelRef
from normalizer.identity import family_of
from normalizer.name_sizes import checkpoint_base, ckey, size_of
from normalizer.post import Post, hf_links
from normalizer.post_names import (
    download_names,
    intro_names,
    names_in_title,
    release_names,
    sized_anchor_releases,
)
from normalizer.post_tables import spec_table_models
from normalizer.regex import compiled
from normalizer.size_lists import qualified_names, size_lists

_VARIANT_RE = re.compile(
    r"(?:^|[-_ ])(?:instruct|chat|it|base|hf|python|dpo|sft|gguf|awq|gptq|fp8|int4|bnb|nf4|4bit|8bit)(?=$|[-_ ])",
    re.I,
)


@dataclass
class Group:
    """One announced model (a family at one size): its names and repos."""

    ckey: str
    size: str | None
    display: str
    extra: bool = False
    repos: list[tuple[str, str]] = field(default_factory=list)
    """(repo id, anchor text)"""
    names: list[str] = field(default_factory=list)
    evidence: str | None = None
    family_display: str | None = None
    code_repos: list[str] = field(default_factory=list)
    """Hub repo ids the post's code loads (`from_pretrained("org/name")`)"""
    variant_names: list[str] = field(default_factory=list)
    """Other spellings the post uses (`Qwen2.5-7B-Instruct` for `Qwen2.5-7B`)"""

    def ref(self, org_hint: str | None) -> ModelRef:
        repo = self.best_repo(org_hint)
        extra = tuple(
            dict.fromkeys(
                [
                    *self.names,
                    *[a for _, a in self.repos if a],
                    *[r.split("/")[-1] for r, _ in self.repos],
                ]
            )
        )
        return ModelRef(name=self.display, repo_id=repo, extra_names=extra)

    def best_repo(self, org_hint: str | None) -> str | None:
        if not self.repos:
            return None

        def rank(item: tuple[str, str]) -> tuple[int, int, int]:
            rid = item[0]
            org = rid.split("/")[0]
            return (
                0 if org_hint and org.lower() == org_hint.lower() else 1,
                1 if _VARIANT_RE.search(rid.split("/")[-1]) else 0,
                len(rid),
            )

        return sorted(self.repos, key=rank)[0][0]


def repo_key(repo: str) -> tuple[str, str | None]:
    """(family key, size) of a Hub repo's model (`org/GLM-4.5-Air-FP8` -> `glm4.5air`)."""
    short = checkpoint_base(repo.rsplit("/", 1)[-1])
    return ckey(family_of(short)), size_of(short)


def _linked_spelling(title_name: str, links: list[tuple[str, str]]) -> str:
    """`# Ling-V2.5` over one linked model `inclusionAI/Ling-2.5-1T`: the title spells the
    repository, the link the model; when no link is of the title's family and every
    linked model is of one family with the title's leading word and version, that model
    is meant (`Llama 3.1` linking only `Llama-Guard-3-8B` is not such a case)."""
    fam = ckey(family_of(title_name))
    shorts = [rid.split("/")[-1] for rid, _ in links]
    linked = {repo_key(s)[0] for s in shorts}
    if not linked or any(
        k.startswith(fam) and not re.match(r"[\d.]", k[len(fam) :]) for k in linked
    ):
        return title_name  # a link of the title's own family (or none at all)
    lead = re.match(r"[a-z]{3,}", fam)
    versions = re.findall(r"\d+(?:\.\d+)*", title_name)
    if len(linked) == 1 and lead and versions and next(iter(linked)).startswith(lead.group(0)):
        best = max(set(shorts), key=shorts.count)
        if all(v in re.findall(r"\d+(?:\.\d+)*", best.replace("_", ".")) for v in versions):
            return best  # the same version (`V2.5` / `2.5`): a spelling, not another model
    return title_name


def announced(post: Post) -> tuple[list[Group], str | None]:
    repo_families = {ckey(family_of(rid.split("/")[-1])) for rid, _ in hf_links(post)}
    title_names = names_in_title(post, repo_families)
    title_name = title_names[0] if title_names else None
    releases = release_names(post)
    if not post.title and not title_names and not releases:
        # a README without a title or release verb: `X is a … language model` opening it,
        # else the family its download table links most
        releases = intro_names(post) or download_names(post)
    if len(title_names) > 1:  # `Sarvam 105B and Sarvam 30B`: each one announced
        releases += [(n, [], post.title or n) for n in title_names]
    orgs = {ckey(rid.split("/")[0]) for rid, _ in hf_links(post)}
    if title_name and releases and ckey(title_name) in orgs and len(title_names) == 1:
        # `# InternLM` over `internlm/…` repos: the title is the maker's name; the newest
        # release line names the model
        title_name = None
    if title_name:
        title_name = _linked_spelling(title_name, hf_links(post))
    primary_name = title_name or (releases[0][0] if releases else None)
    primary = ckey(family_of(primary_name)) if primary_name else None

    families: dict[str, str] = {}
    if primary_name and primary:  # (a release line's sized name: its family's name)
        from_line = not title_name and size_of(primary_name)
        families[primary] = _family_display(primary_name) if from_line else primary_name

    def is_main(ck: str) -> bool:
        if primary is None:
            return False
        if ck == primary:
            return True
        return ck.startswith(primary) and not re.match(r"[\d.]", ck[len(primary) :])

    groups: dict[tuple[str, str | None], Group] = {}

    def add(
        ck: str,
        size: str | None,
        display: str,
        *,
        extra: bool,
        repo: tuple[str, str] | None = None,
        name: str | None = None,
        evidence: str | None = None,
    ) -> None:
        key = (ck, size)
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(ck, size, display, extra=extra, evidence=evidence)
        if repo and repo not in g.repos:
            g.repos.append(repo)
        if name and name not in g.names:
            g.names.append(name)

    # Hugging Face repos of the primary family (and families extending it); repos of
    # other orgs (community re-uploads, quantisations) only join models already found
    main_links = [(rid, a) for rid, a in hf_links(post) if is_main(repo_key(rid)[0])]
    org_counts: dict[str, int] = {}
    for rid, _ in main_links:
        org_counts[rid.split("/")[0]] = org_counts.get(rid.split("/")[0], 0) + 1
    top_org = max(org_counts, key=lambda k: org_counts[k]) if org_counts else None
    for own_org in (True, False):
        for rid, anchor in main_links:
            if (rid.split("/")[0] == top_org) != own_org:
                continue
            short = checkpoint_base(rid.split("/")[-1])
            ck = ckey(family_of(short))
            size = size_of(short)
            if not own_org and (ck, size) not in groups:
                continue
            families.setdefault(ck, _family_display(short))
            add(ck, size, short, extra=False, repo=(rid, anchor), name=anchor or None)

    # `releasing the base [11B LLM](…/falcon-11B) and the [11B VLM model](…/Falcon-11B-vlm)`:
    # repos a release sentence names only by size are the primary model at that size, or,
    # with a modality in the anchor or repo name, a model of their own
    if primary and primary_name:
        for rid, size, modal in sized_anchor_releases(post):
            short = rid.split("/")[-1]
            if modal:
                ck = ckey(family_of(short)) + ckey(modal)
                add(ck, size, short, extra=False, repo=(rid, ""), name=short)
                families.setdefault(ck, primary_name)  # facts about the family are its facts
            else:
                joiner = " " if " " in primary_name else "-"
                base = primary_name if not size_of(primary_name) else family_of(primary_name)
                add(primary, size, f"{base}{joiner}{size.upper()}", extra=False, repo=(rid, ""))

    # models named in release statements
    repo_by_anchor = {a.lower(): (rid, a) for rid, a in hf_links(post) if a}
    for name, aliases, ev in releases:
        ck = ckey(family_of(name))
        size = size_of(name)
        repo = repo_by_anchor.get(name.lower())
        if repo is None:
            for rid, a in hf_links(post):
                if (
                    ckey(family_of(rid.split("/")[-1])) == ck
                    and size_of(rid.split("/")[-1]) == size
                ):
                    repo = (rid, a)
                    break
        if repo and size is None:
            size = size_of(repo[0].split("/")[-1])
        main = is_main(ck)
        if main:
            families.setdefault(ck, _family_display(name))
        add(ck, size, name, extra=not main, repo=repo, name=name, evidence=ev)
        for alias in aliases:
            groups[(ck, size)].names.append(alias)

    # a released family's sub-families its download table links (`GLM-4.5` released:
    # `GLM-4.5-Air` beside it), as main families take theirs
    released_repos = {g.ckey for g in list(groups.values()) if g.extra and g.repos}
    for rid, anchor in hf_links(post):
        short = checkpoint_base(rid.split("/")[-1])
        ck, size = repo_key(rid)
        parent = next(
            (r for r in released_repos if ck.startswith(r) and re.match(r"[a-z]", ck[len(r) :])),
            None,
        )
        if parent and not is_main(ck) and not any(g.ckey == ck for g in groups.values()):
            add(ck, size, short, extra=True, repo=(rid, anchor), name=anchor or None)
        elif parent and (ck, size) in groups and groups[(ck, size)].extra:
            add(ck, size, short, extra=True, repo=(rid, anchor))

    # size lists for the main families
    released = {g.ckey for g in groups.values() if g.extra and g.size is None}
    for g in groups.values():
        if g.ckey in released:
            families.setdefault(g.ckey, g.display)
    for ck, sizes, ev, qualifier in size_lists(post, families, primary, is_main):
        extra = not is_main(ck)
        if extra and (ck not in released or qualifier):
            continue  # a family only mentioned; a released one (`the X series in 1.8B, 7B`) counts
        if any(g.ckey == ck and g.size is None and g.repos for g in groups.values()):
            continue  # a family with an unsized repo is one model, not a size series
        display = families.get(ck, ck)
        joiner = " " if " " in display else "-"
        if qualifier:
            sub = f"{display}{joiner}{qualifier}"
            sub_ck = ckey(family_of(sub))
            if not is_main(sub_ck):
                continue
            for size in sizes:
                names = qualified_names(post, display, qualifier, size.upper(), joiner)
                add(sub_ck, size, names[0], extra=False, evidence=ev)
                for n in names:
                    add(sub_ck, size, names[0], extra=False, name=n)
            continue
        for size in sizes:
            add(
                ck,
                size,
                f"{display}{joiner}{size.upper()}",
                extra=extra,
                name=f"{display}{joiner}{size.upper()}",
                evidence=ev,
            )
        if extra:  # the sizes stand for the series, and take the series' repos
            for key in [k for k, g in groups.items() if g.ckey == ck and g.size is None]:
                del groups[key]
            for rid, anchor in hf_links(post):
                key = repo_key(rid)
                if key[0] == ck and key in groups:
                    add(*key, groups[key].display, extra=True, repo=(rid, anchor))

    # spec tables (`Models | Params | Context Length | License`, either orientation):
    # every sized model of a main family the table describes is announced
    # a spec table also lists the post's sibling families (`Qwen3-Embedding` and
    # `Qwen3-Reranker`): same versioned root as the primary name, then a name of its own
    root_m = re.match(r"[a-z]+\d[\d.]*", primary or "")
    root = root_m.group(0) if root_m else None
    for name, ev in spec_table_models(post):
        ck = ckey(family_of(name))
        size = size_of(name)
        # a sibling has its own name after the root; the bare root (`Qwen1.5-7B` in a
        # `Qwen1.5-MoE` post) is the previous generation, compared against
        sibling = (
            bool(root)
            and ck.startswith(root)
            and len(ck) > len(root)
            and not re.match(r"[\d.]", ck[len(root) :])
        )
        if not size or not (is_main(ck) or sibling):
            continue
        families.setdefault(ck, _family_display(name))
        add(ck, size, name, extra=False, name=name, evidence=ev)

    # the primary model itself, when the post names no repo or size for it
    if (
        primary
        and primary_name
        and not any(g.ckey == primary or is_main(g.ckey) for g in groups.values())
    ):
        add(
            primary,
            size_of(primary_name),
            primary_name,
            extra=False,
            name=primary_name,
            evidence=post.title,
        )

    # drop unsized groups of a family that also has sized groups
    sized = {g.ckey for g in groups.values() if g.size}
    out = [g for g in groups.values() if g.size or g.ckey not in sized or g.repos and g.extra]
    for g in out:
        if (
            g.size is None
            and not g.extra
            and families.get(g.ckey)
            and g.display != families[g.ckey]
        ):
            g.names.append(families[g.ckey])
    for g in out:
        g.family_display = families.get(g.ckey)
    _attach_code_repos(post, out)
    _attach_variant_names(post, out)
    return out, primary


_CODE_LOAD_RE = re.compile(
    r"from_pretrained|model_id|model_name|repo_id|pipeline\(|snapshot_download|hf_hub_download|"
    r"huggingface-cli|hf download|--model\b|--model[-_]id|--model[-_]name",
    re.I,
)
_CODE_REPO_RE = re.compile(
    r"""["'\s=]([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*[A-Za-z0-9])(?=["'\s,)]|$)"""
)


def _code_repos(post: Post) -> list[str]:
    """Hub repo ids that the post's code blocks load (`from_pretrained("Qwen/Qwen1.5-MoE-A2.7B")`,
    `model_id = "..."`, `--model_name_or_path org/name`)."""
    out: list[str] = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", post.markup, re.S):
        for line in block.splitlines():
            if not _CODE_LOAD_RE.search(line):
                continue
            for m in _CODE_REPO_RE.finditer(line):
                rid = m.group(1)
                if re.search(r"\.(?:py|json|md|txt|sh|bin|safetensors|gguf|yaml)$", rid, re.I):
                    continue
                if rid.startswith(("http", "/", ".")) or rid.count("/") != 1:
                    continue
                if rid not in out:
                    out.append(rid)
    return out


def _attach_code_repos(post: Post, groups: list[Group]) -> None:
    """A repo the post's code loads, of a model the post announces, shows that model's
    weights are downloadable (and is one more name for it). Code never adds a model."""
    for rid in _code_repos(post):
        short = checkpoint_base(rid.split("/")[-1])
        ck = ckey(family_of(short))
        size = size_of(short)
        hits = [g for g in groups if g.ckey == ck and g.size == size and not g.extra]
        if not hits:  # `K-EXAONE` announced without a size; its code loads `…-236B-A23B`
            family = [g for g in groups if g.ckey == ck and not g.extra]
            hits = [g for g in family if g.size is None] if len(family) == 1 else []
        if len(hits) == 1 and rid not in hits[0].code_repos:
            hits[0].code_repos.append(rid)


_VARIANT_SUFFIX = r"(?:[-_ ](?:Instruct|Chat|Base|it|Preview))"


def _attach_variant_names(post: Post, groups: list[Group]) -> None:
    """The post's own spellings of a record with a variant suffix (`Qwen2.5-7B-Instruct`)."""
    text = post.doc.plain
    for g in groups:
        if not g.size:
            continue
        base = group_regex(g).pattern
        body = base[base.index("(?:") : base.rindex("(?![\\w]")]  # the alternation only
        rx = compiled(rf"(?<![\w.-]){body}{_VARIANT_SUFFIX}+(?![\w]|[-.][\w])", re.I)
        for m in rx.finditer(text):
            n = m.group(0)
            if n not in g.variant_names and n not in g.names:
                g.variant_names.append(n)


def _family_display(name: str) -> str:
    fam = family_of(name)
    parts = re.split(r"[-_ ]+", name)
    keep = [p for p in parts if ckey(p) and ckey(p) in ckey(fam)]
    return "-".join(keep) or name


def primary_org(groups: list[Group], primary: str | None) -> str | None:
    counts: dict[str, int] = {}
    for g in groups:
        for rid, _ in g.repos:
            org = rid.split("/")[0]
            counts[org] = counts.get(org, 0) + (2 if g.ckey == primary else 1)
    return max(counts, key=lambda k: counts[k]) if counts else None


def group_regex(g: Group) -> re.Pattern[str]:
    names = tuple(dict.fromkeys([g.display, *g.names, *[r.split("/")[-1] for r, _ in g.repos]]))
    return _names_regex(names)


@lru_cache(maxsize=2048)
def _names_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    alts = []
    for n in names:
        parts = [re.escape(p) for p in re.split(r"[-_ ]+", n) if p]
        if parts:
            alts.append(r"[-_ ]?".join(parts))
    body = "|".join(sorted(alts, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{body})(?![\w]|[-.][\w])", re.I)
