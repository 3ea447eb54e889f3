"""The spec tables of a post (visible, kept in HTML comments, or transposed): the models
they list are announced, and their cells give those models' facts."""

from __future__ import annotations

import re

from normalizer import context as ctx
from normalizer.post import Post, per_post
from normalizer.text import inline_to_text

PARAM_HEADER_RE = re.compile(
    r"^#?\s*(?:total\s+)?param(?:eter)?s(?:\s*\(total\))?$|^#?\s*total\s+param", re.I
)


_MODELS_HEADER_RE = re.compile(r"^\s*models?\s*(?:name)?\s*$", re.I)


def _is_spec_header(cell: str) -> bool:
    cell = cell.strip()
    return bool(PARAM_HEADER_RE.search(cell) or ctx.TABLE_HEADERS.search(cell))


def spec_table_models(post: Post) -> list[tuple[str, str]]:
    """(model name, evidence) for the models a visible spec table lists: a table headed
    `Models` with a parameter or context-length column (or, transposed, row). A license
    column alone does not make a spec table (comparison tables have one)."""
    out: list[tuple[str, str]] = []
    for table in post.doc.tables:
        if len(table) < 2 or not table[0]:
            continue
        head = table[0]
        # the `Models` column may follow a grouping column (`Model Type | Models | Size | ...`)
        col = next((i for i, h in enumerate(head) if _MODELS_HEADER_RE.match(h)), None)
        if col is None:
            continue
        if any(_is_spec_header(h) for i, h in enumerate(head) if i != col):
            names = [r[col] for r in table[1:] if len(r) > col]
        elif col != 0:
            continue
        elif any(r and _is_spec_header(r[0]) for r in table[1:]):
            names = head[1:]
        else:
            continue
        ev = " | ".join(head)[:200]
        for n in names:
            n = inline_to_text(n).strip().strip("*`").strip()
            if n:
                out.append((n, ev))
    return out


@per_post
def spec_tables(post: Post) -> list[list[list[str]]]:
    """Visible tables, tables kept in HTML comments, and transposed spec tables (a `Models`
    header row of model names over `# Params` / `Context Length` rows) turned upright."""
    tables = post.doc.tables + _comment_tables(post)
    upright = []
    for t in post.doc.tables:
        if (
            len(t) >= 2
            and t[0]
            and _MODELS_HEADER_RE.match(t[0][0])
            and any(r and _is_spec_header(r[0]) for r in t[1:])
        ):
            width = max(len(r) for r in t)
            rows = [list(r) + [""] * (width - len(r)) for r in t]
            upright.append([list(col) for col in zip(*rows, strict=True)])
    return tables + upright


def _comment_tables(post: Post) -> list[list[list[str]]]:
    """Spec tables kept in HTML comments (blogs keep them as the source of a spec image)."""
    from normalizer.text import markdown_tables

    out: list[list[list[str]]] = []
    for m in re.finditer(r"<!--(.*?)-->", post.markup, re.S):
        if "|" in m.group(1):
            out.extend(markdown_tables(m.group(1)))
    return out
