"""Response status "rejected": a flagged response staff decided to keep out.

It used to become "invalid", the status of responses with too few items rated, so reports
could not tell the two apart and the validity-rule sensitivity would have counted rejected
stuffing. The column grows to 8 characters and its CHECK constraint gains the value.
Responses rejected before this revision stay "invalid".

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD = ('valid', 'invalid', 'flagged')
NEW = (*OLD, 'rejected')


def _values(values):
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    # Batch mode rebuilds the table on SQLite; env.py turns foreign keys off meanwhile, so
    # the answers are not cascade-deleted with the old table.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_response_response_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=7),
                              type_=sa.String(length=8), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_response_response_status'),
                                         _values(NEW))


def downgrade():
    op.execute("UPDATE response SET status = 'invalid' WHERE status = 'rejected'")
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_response_response_status'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=8),
                              type_=sa.String(length=7), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_response_response_status'),
                                         _values(OLD))
