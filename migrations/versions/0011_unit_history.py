"""Unit history across mergers: validity dates on units and the "became" links between them.

``unit.valid_from`` / ``unit.valid_to`` are the first and last day a unit existed as such
(NULL: open-ended). ``unit_succession`` links a predecessor to its successor from a date:
several predecessors of one successor are a merger, several successors of one predecessor a
split, a unit with ``valid_to`` and no successor was dissolved (docs/unit-history.md). Both
are new and nullable; the downgrade drops them (the links are lost, no unit is).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
    op.create_table('unit_succession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('predecessor_id <> successor_id', name=op.f('ck_unit_succession_not_itself')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['unit.id'], name=op.f('fk_unit_succession_predecessor_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['successor_id'], ['unit.id'], name=op.f('fk_unit_succession_successor_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_succession')),
    sa.UniqueConstraint('predecessor_id', 'successor_id', name=op.f('uq_unit_succession_predecessor_id_successor_id'))
    )
    with op.batch_alter_table('unit_succession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_succession_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_succession_successor_id'), ['successor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('unit_succession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_succession_successor_id'))
        batch_op.drop_index(batch_op.f('ix_unit_succession_predecessor_id'))
    op.drop_table('unit_succession')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
