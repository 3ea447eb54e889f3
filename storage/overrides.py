"""Overrides: an editor's value for one field of a tool. Session-level helpers.

An override is the top layer of resolution (override > source rank > recency, see
`ranking.OVERRIDE_KIND` and `resolve.override_claim`). Crawls never touch the
`overrides` table; claims that later disagree with an override (not
`resolve.compatible`) open a `conflict` review item instead (`storage.review`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from normalizer.models import ToolRecord
from storage.errors import InvalidOverride
from storage.resolve import RECORD_FIELDS, ClaimData, override_claim
from storage.schema import Override
from storage.views import OverrideView

OVERRIDABLE_FIELDS: tuple[str, ...] = tuple(f for f in RECORD_FIELDS if f != "slug")
"""ToolRecord fields an editor may override (the slug is the tool's identity)."""


def validate_override(field: str, value: Any) -> Any:
    """The value as claims store it (ToolRecord JSON), or `InvalidOverride`.

    `None` is allowed and forces the field empty."""
    if field not in OVERRIDABLE_FIELDS:
        raise InvalidOverride(f"unknown field {field!r}; one of: {', '.join(OVERRIDABLE_FIELDS)}")
    if value is None:
        if field == "name":
            raise InvalidOverride("the name cannot be emptied")
        return None
    data: dict[str, Any] = {"slug": "x", "name": "x", field: value}
    try:
        record = ToolRecord.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidOverride(f"invalid value for {field!r}: {problems}") from exc
    return record.model_dump(mode="json")[field]


def load_overrides(session: Session, tool_ids: Iterable[int]) -> dict[int, list[ClaimData]]:
    """Overrides per tool, as claims for `resolve.resolve_claims(..., overrides=)`."""
    ids = list(tool_ids)
    out: dict[int, list[ClaimData]] = defaultdict(list)
    if not ids:
        return out
    for row in session.scalars(
        select(Override).where(Override.tool_id.in_(ids)).order_by(Override.id)
    ):
        out[row.tool_id].append(
            override_claim(
                row.field, row.value, actor=row.actor, reason=row.reason, at=row.created_at
            )
        )
    return out


def overrides_of(session: Session, tool_id: int) -> dict[str, Override]:
    return {
        row.field: row
        for row in session.scalars(select(Override).where(Override.tool_id == tool_id))
    }


def override_views(session: Session, tool_id: int) -> list[OverrideView]:
    return [
        OverrideView(
            field=row.field,
            value=row.value,
            actor=row.actor,
            reason=row.reason,
            created_at=row.created_at,
        )
        for row in sorted(overrides_of(session, tool_id).values(), key=lambda r: r.id)
    ]
