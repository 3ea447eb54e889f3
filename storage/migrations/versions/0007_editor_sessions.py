"""Editors: a session version; logging out or changing the password raises it, which
revokes every session cookie signed before.

Revision ID: 0007_editor_sessions
Revises: 0006_published_docs
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_editor_sessions"
down_revision: str | Sequence[str] | None = "0006_published_docs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("editors") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("editors") as batch:
        batch.drop_column("session_version")
