"""Raw capture first: documents wait for a normalise worker; claims keep the normalizer
version that made them and are superseded (never deleted) by a re-normalisation.

Revision ID: 0005_raw_capture
Revises: 0004_operations
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_raw_capture"
down_revision: str | Sequence[str] | None = "0004_operations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNVERSIONED = "unversioned"
"""What documents normalised before versions were kept are marked with."""
CURRENT = sa.text("superseded_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("normalized_version", sa.String(length=64), nullable=True))
        batch.create_index(
            op.f("ix_documents_normalized_version"), ["normalized_version"], unique=False
        )
    op.execute(sa.text("UPDATE documents SET normalized_version = :v").bindparams(v=UNVERSIONED))
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("normalizer_version", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint("uq_claims_document_id_record_key_field", type_="unique")
    op.create_index(
        "uq_claims_current",
        "claims",
        ["document_id", "record_key", "field"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM claims WHERE superseded_at IS NOT NULL"))
    op.drop_index("uq_claims_current", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.create_unique_constraint(
            "uq_claims_document_id_record_key_field", ["document_id", "record_key", "field"]
        )
        batch.drop_column("superseded_at")
        batch.drop_column("normalizer_version")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index(op.f("ix_documents_normalized_version"))
        batch.drop_column("normalized_version")
