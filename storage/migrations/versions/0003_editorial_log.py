"""Editorial log: withdrawals, overrides and review decisions are logged as decisions.

Revision ID: 0003_editorial_log
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_editorial_log"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("accept", "reject", "merge", "unmerge", "reopen")
NEW = (*OLD, "withdraw", "override", "clear-override", "review-accept", "review-reject")


def _check(actions: tuple[str, ...]) -> str:
    return "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:  # SQLite: the table is rebuilt
        batch.drop_constraint(op.f("ck_decisions_action"), type_="check")
        batch.create_check_constraint(op.f("ck_decisions_action"), _check(NEW))


def downgrade() -> None:
    op.execute("DELETE FROM decisions WHERE " + _check(NEW[len(OLD) :]))
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(op.f("ck_decisions_action"), type_="check")
        batch.create_check_constraint(op.f("ck_decisions_action"), _check(OLD))
