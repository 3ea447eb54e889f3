"""Published documents: the read API's form of each published tool, built at publish time.

Revision ID: 0006_published_docs
Revises: 0005_raw_capture
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0006_published_docs"
down_revision: str | Sequence[str] | None = "0005_raw_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_docs",
        sa.Column("tool_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("vendor_key", sa.String(length=255), nullable=True),
        sa.Column("task_key", sa.String(length=255), nullable=True),
        sa.Column("category_key", sa.String(length=255), nullable=True),
        sa.Column("license_terms", sa.String(length=32), nullable=True),
        sa.Column("open_weights", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tool_id"], ["tools.id"], name=op.f("fk_published_docs_tool_id_tools")
        ),
        sa.PrimaryKeyConstraint("tool_id", name=op.f("pk_published_docs")),
        sa.UniqueConstraint("slug", name=op.f("uq_published_docs_slug")),
    )
    for column in ("vendor_key", "task_key", "category_key", "license_terms"):
        op.create_index(f"ix_published_docs_{column}_slug", "published_docs", [column, "slug"])
    op.create_table(
        "published_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_norm", sa.String(length=512), nullable=False),
        sa.Column("tool_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tool_id"], ["tools.id"], name=op.f("fk_published_names_tool_id_tools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_names")),
        sa.UniqueConstraint(
            "name_norm", "tool_id", name=op.f("uq_published_names_name_norm_tool_id")
        ),
    )
    op.create_index(op.f("ix_published_names_name_norm"), "published_names", ["name_norm"])
    op.create_index(op.f("ix_published_names_tool_id"), "published_names", ["tool_id"])
    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    # tools published before this revision get their documents now (the current
    # code builds them from the snapshot; `toolwatch republish` does the same later)
    from storage import published

    session = Session(bind=op.get_bind())
    published.republish(session)
    published.before_commit(session)
    session.flush()


def downgrade() -> None:
    op.drop_table("catalog_state")
    op.drop_table("published_names")
    op.drop_table("published_docs")
