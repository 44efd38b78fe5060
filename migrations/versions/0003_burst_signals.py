"""Burst signals on responses: answer-pattern digest, straight-lined value, burst key.

The burst checks count a counter's (or a client's) responses of the last minutes in one
range scan each: ``(counter_id, received_at)`` exists already; ``(client_hash,
received_at)`` replaces the single-column index on ``client_hash``. Responses stored before
this revision have no digest: they can no longer be part of a 10-minute burst anyway.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('response', sa.Column('pattern_digest', sa.String(length=64), nullable=True))
    op.add_column('response', sa.Column('straight_value', sa.SmallInteger(), nullable=True))
    op.add_column('response', sa.Column('burst_key', sa.String(length=40), nullable=True))
    op.create_index('ix_response_client_received', 'response', ['client_hash', 'received_at'],
                    unique=False)
    op.drop_index('ix_response_client_hash', table_name='response')


def downgrade():
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), never batch mode's copy-and-drop:
    # with foreign keys on, dropping the old response table would cascade-delete every answer.
    op.create_index('ix_response_client_hash', 'response', ['client_hash'], unique=False)
    op.drop_index('ix_response_client_received', table_name='response')
    op.drop_column('response', 'burst_key')
    op.drop_column('response', 'straight_value')
    op.drop_column('response', 'pattern_digest')
