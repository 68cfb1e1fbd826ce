"""one send budget for every process: the next free instant of each limit

A row per limit: "global" (the bot's messages per second) and "chat:<id>" (one message a
second in a chat, twenty a minute in a group). Every process sending to Telegram reserves its
slot here, in one statement, so all of them together stay within Telegram's limits.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create send_slots."""
    op.create_table(
        "send_slots",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("free_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_send_slots_free_at", "send_slots", ["free_at"])


def downgrade() -> None:
    """Drop send_slots."""
    op.drop_index("ix_send_slots_free_at", table_name="send_slots")
    op.drop_table("send_slots")
