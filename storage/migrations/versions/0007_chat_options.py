"""chat options: forum topics, per-chat briefing options, channels' managers, personal filters

- subscribers.thread_id: a forum topic is its own subscriber, so the chat id alone is no longer
  unique; (chat_id, thread_id) is, with 0 for the chat itself.
- subscribers.items_per_briefing, sentences_per_item (NULL: the bot's default), silent,
  link_preview, lead_image, breaking: what each chat chose in /settings.
- subscribers.managed_by: the admin whose private chat manages a channel.
- personal_filters: /follow and /mute words of a chat.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE = "uq_subscribers_chat_id"
FLAGS = ("silent", "link_preview", "lead_image", "breaking")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("thread_id", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("items_per_briefing", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sentences_per_item", sa.Integer(), nullable=True))
        for flag in FLAGS:
            batch.add_column(
                sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false())
            )
        batch.add_column(sa.Column("managed_by", sa.BigInteger(), nullable=True))
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["chat_id", "thread_id"])
        batch.create_index("ix_subscribers_managed_by", ["managed_by"])
    op.create_table(
        "personal_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("keywords", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_personal_filters_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_filters")),
        sa.UniqueConstraint(
            "subscriber_id", "kind", "keywords", name=op.f("uq_personal_filters_subscriber_id")
        ),
    )
    op.create_index(
        "ix_personal_filters_subscriber_id", "personal_filters", ["subscriber_id"], unique=False
    )


def downgrade() -> None:
    """Revert this revision (forum topics' subscribers are deleted: a chat has one again)."""
    op.drop_index("ix_personal_filters_subscriber_id", table_name="personal_filters")
    op.drop_table("personal_filters")
    op.execute("DELETE FROM subscribers WHERE thread_id <> 0")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_index("ix_subscribers_managed_by")
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["chat_id"])
        batch.drop_column("managed_by")
        for flag in reversed(FLAGS):
            batch.drop_column(flag)
        batch.drop_column("sentences_per_item")
        batch.drop_column("items_per_briefing")
        batch.drop_column("thread_id")
