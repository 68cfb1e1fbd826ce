"""delivery claims name their worker

A claimed delivery row records which worker holds it (`claim_token`), so every write of
progress, outcome or lease renewal can check that the writer still owns the row: a worker that
lost its claim (its lease ran out during a long flood pause or a database outage) can never
record, or send, a part another worker has taken over.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add deliveries.claim_token."""
    op.add_column("deliveries", sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Drop deliveries.claim_token."""
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claim_token")
