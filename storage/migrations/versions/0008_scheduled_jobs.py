"""The scheduler's job store table, made by the migration rather than by APScheduler,
so that schedulers starting at once on a fresh database do not race to create it.

A database where a scheduler already created it keeps its table (same columns).

Revision ID: 0008_scheduled_jobs
Revises: 0007_editor_sessions
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_scheduled_jobs"
down_revision: str | Sequence[str] | None = "0007_editor_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("scheduled_jobs"):
        return
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
    )
    op.create_index(op.f("ix_scheduled_jobs_next_run_time"), "scheduled_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scheduled_jobs_next_run_time"), table_name="scheduled_jobs")
    op.drop_table("scheduled_jobs")
