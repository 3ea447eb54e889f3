"""Parameter count, context length and base model of one announced model, each from its
own sentences, the spec tables, then its names."""

from __future__ import annotations

import re

from normalizer import context as ctx
from normalizer import params
from normalizer.announced import Group, group_regex
from normalizer.builder import RecordBuilder
from normalizer.extract import _BASE_TRIGGER_RE, ModelRef, base_from_text
from normalizer.identity import repo_id_from_url
from normalizer.models import Parameters
from normalizer.name_sizes import size_number
from normalizer.post import Post
from normalizer.post_tables import PARAM_HEADER_RE, spec_tables
from normalizer.tables import rows_for, table_value
from normalizer.text import strip_code

_ACTIVE_HEADER_RE = re.compile(
    r"^#?\s*\(?activ\w*\)?\s*param\w*$|^#?\s*activ\w*\s*param|^#?\s*active$", re.I
)


_BASE_HEADER_RE = re.compile(r"^base\s*model$", re.I)


def set_params(
    rb: RecordBuilder, g: Group, ref: ModelRef, own: list[str], shared: list[str], post: Post
) -> None:
    """Main records: a stated count close to the size, the spec table, then the size itself.
    Extras and unsized models: the count their own sentences state."""
    size_value = size_number(g.size)
    prose = None
    for s in own + shared:
        hit = params.from_sentence(s)
        if hit and hit.total:
            if size_value and not g.extra and abs(hit.total - size_value) > 0.15 * size_value:
                continue
            prose = (hit, params.active_from_sentence(s), s)
            break
    if prose:
        hit, active, s = prose
        if active is None:  # `560 billion total parameters` … `an average of 27 billion activated`
            active = _stated_active(own + shared, hit.total)
        rb.set("parameters", Parameters(total=hit.total, active=active), hit.method, s)
        return
    keys = ref.names()
    tables = spec_tables(post)
    total = table_value(tables, PARAM_HEADER_RE, keys)
    if total and (not size_value or abs(total[0] - size_value) <= 0.15 * size_value):
        # a bare-number active column is in the unit of the total's column
        active = table_value(
            tables, _ACTIVE_HEADER_RE, keys, default_unit="b" if total[0] >= 1e9 else None
        )
        if active and active[0] >= total[0]:
            active = None  # a dense model in an MoE comparison table
        rb.set(
            "parameters",
            Parameters(
                total=int(total[0]),
                active=int(active[0]) if active else _active_from_names(g, total[0]),
            ),
            "table:params",
            total[1],
            confidence=0.9,
        )
        return
    if size_value:
        rb.set(
            "parameters",
            Parameters(total=int(size_value), active=_active_from_names(g, size_value)),
            "name",
            f"{g.display} ({g.size})",
            confidence=0.8,
        )
        return
    if ref.repo_id:
        hit = params.from_name(ref.repo_id)
        if hit:
            rb.set(
                "parameters",
                Parameters(total=hit.total, active=hit.active),
                "name",
                ref.repo_id,
                confidence=0.8,
            )


def _stated_active(sentences: list[str], total: int | None) -> int | None:
    """The one active count the record's sentences state, when below its total."""
    found = {a for s in sentences if (a := params.active_from_sentence(s))}
    if len(found) == 1 and total and (active := found.pop()) < total:
        return active
    return None


def _active_from_names(g: Group, total: float) -> int | None:
    """`Qwen2-57B-A14B`: a name of the record that states the active count for this total."""
    for n in [g.display, *g.names]:
        hit = params.from_name(n)
        if hit and hit.active and hit.total and abs(hit.total - total) <= 0.15 * total:
            return hit.active
    return None


def set_context(
    rb: RecordBuilder,
    ref: ModelRef,
    own: list[str],
    family_level: list[str],
    general: list[str],
    post: Post,
) -> None:
    """Sentences naming the model > its spec-table cell > sentences about the family > the rest."""
    for pool, conf in ((own, 0.9), (None, 0.85), (family_level, 0.85), (general, 0.7)):
        if pool is None:
            tables = spec_tables(post)
            for table in tables:
                if len(table) < 2:
                    continue
                cols = [i for i, h in enumerate(table[0]) if ctx.TABLE_HEADERS.search(h.strip())]
                if not cols:
                    continue
                rows = rows_for(table[1:], ref.names())
                vals = {ctx.from_cell(r[cols[0]]) for r in rows if len(r) > cols[0]}
                vals.discard(None)
                if len(vals) == 1:
                    v = vals.pop()
                    assert v is not None
                    rb.set(
                        "context_length",
                        v,
                        "table:context",
                        " | ".join(rows[0])[:200],
                        confidence=conf,
                    )
                    return
            continue
        for s in pool:
            hit = ctx.from_sentence(s)
            if hit and pool is not own and _a_variants_window(hit.value, ref, post):
                continue  # `1M context window` on a README with a `…-Chat-1M` variant
            if hit:
                rb.set("context_length", hit.value, hit.method, hit.evidence, confidence=conf)
                return


def _a_variants_window(value: int, ref: ModelRef, post: Post) -> bool:
    """A window the post names a variant for (`InternLM2.5-7B-Chat-1M`) belongs to that
    variant when this record's own names do not carry it."""
    if value in {ctx.window_of_name(n) for n in ref.names()}:
        return False
    return value in ctx.windows_in_names(post.doc.plain)


def set_base(
    rb: RecordBuilder,
    g: Group,
    ref: ModelRef,
    groups: list[Group],
    post: Post,
    own: list[str],
    org_hint: str | None,
) -> None:
    keys = ref.names()
    for table in post.doc.tables:
        if len(table) < 2:
            continue
        cols = [i for i, h in enumerate(table[0]) if _BASE_HEADER_RE.search(h.strip())]
        if not cols:
            continue
        rows = rows_for(table[1:], keys)
        if len(rows) != 1 or len(rows[0]) <= cols[0]:
            continue
        cell = rows[0][cols[0]].strip()
        for anchor, url in post.doc.links:
            rid = repo_id_from_url(url)
            if rid and "/" in rid and anchor.strip() == cell:
                rb.set(
                    "base_model", rid, "table:base-model", " | ".join(rows[0])[:200], confidence=0.9
                )
                rb.set("base_model_relation", "finetune", "table:base-model", cell, confidence=0.6)
                return
    own_re = group_regex(g)
    lines = []
    for ln in strip_code(post.markup).splitlines():
        if ln.count("|") >= 2:
            continue
        m = own_re.search(ln)
        if m:
            tail = ln[m.start() :]  # the record must be the subject, before the trigger
            trig = _BASE_TRIGGER_RE.search(tail)
            if trig and "," in tail[m.end() - m.start() : trig.start()]:
                continue  # a list of models precedes the trigger: its subject is not this one
            lines.append(tail)
    found = base_from_text("\n".join(lines), ref) if lines else None
    if found:
        rb.set("base_model", found[0], "text:base-model", found[1], confidence=0.7)
        rb.set("base_model_relation", found[2].value, "text:base-model", found[1], confidence=0.6)
        return
    # `We fine-tuned StarCoderBase ... resulting in a new model that we call StarCoder`:
    # another record of this post, named before the result
    for s in own:
        trig = re.search(
            r"\b(?:fine-?tuned|further (?:pre-?)?trained|continued (?:pre-?)?training(?: of)?)\s+",
            s,
            re.I,
        )
        res = re.search(r"\bresulting in\b|\bto (?:create|obtain|produce)\b", s, re.I)
        if not trig or not res or res.start() < trig.end():
            continue
        mine = own_re.search(s, res.end())
        if not mine:
            continue
        for other in groups:
            if other is g or not other.repos:
                continue
            m = group_regex(other).match(s, trig.end())
            if m and m.end() <= res.start():
                rid = other.best_repo(org_hint)
                rb.set("base_model", rid, "text:base-model", s, confidence=0.7)
                rb.set("base_model_relation", "finetune", "text:base-model", s, confidence=0.7)
                return
    # "fine-tuned on Llama 3 8B": another record of this post
    for s in own:
        m = re.search(r"\bfine-?tuned (?:on|from)\s+(.{3,60})", s, re.I)
        if not m:
            continue
        for other in groups:
            if other is g or not other.repos:
                continue
            if group_regex(other).match(m.group(1)):
                rid = other.best_repo(org_hint)
                rb.set("base_model", rid, "text:base-model", s, confidence=0.7)
                rb.set("base_model_relation", "finetune", "text:base-model", s, confidence=0.7)
                return
