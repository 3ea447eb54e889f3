"""Operations: who ran a crawl (host, pid), why it failed, its health; run locks.

Revision ID: 0004_operations
Revises: 0003_editorial_log
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_operations"
down_revision: str | Sequence[str] | None = "0003_editorial_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("health", JSON, nullable=True))
    op.create_table(
        "run_locks",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_run_locks")),
    )


def downgrade() -> None:
    op.drop_table("run_locks")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("health")
        batch.drop_column("reason")
        batch.drop_column("pid")
        batch.drop_column("host")
