"""The unit tree: kinds of every level, a campaign's organising unit, scoped admin accounts.

- ``unit.kind`` grows to 10 characters and takes the kinds of the two-tier administration
  (province, department, district, commune, division; docs/units.md). "agency" becomes
  "department": a district's phòng is to its district what a province's sở is to the
  province, and both are surveyed the same way.
- ``campaign.organiser_id``: the unit that runs the campaign. An existing campaign gets the
  deepest unit that is, or is above, every unit it covers; none when its units have no
  common ancestor (then it belongs to the whole installation, as every campaign did).
- An admin or viewer with units now sees only those units' subtree. Before, their units
  meant nothing (they saw everything), so such links are removed: nobody loses access.

Downgrade: organiser dropped; "department" → "agency", "province" → "district" (the older
grouping kind), "division" → "agency" (a part of a unit that serves people); the removed
admin/viewer links stayed meaningless and are not restored.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD = ('agency', 'commune', 'district')
NEW = ('province', 'department', 'district', 'commune', 'division')
DOWN = {'department': 'agency', 'province': 'district', 'division': 'agency'}


def _values(values):
    return "kind IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _kind_column(old_length, new_length, values):
    # Two batches: on SQLite each rebuilds the table (env.py turns foreign keys off meanwhile),
    # and the rows must be renamed between dropping the old CHECK and adding the new one.
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_unit_unit_kind'), type_='check')
        if new_length > old_length:
            batch_op.alter_column('kind', existing_type=sa.String(length=old_length),
                                  type_=sa.String(length=new_length), existing_nullable=False)
    yield
    with op.batch_alter_table('unit', schema=None) as batch_op:
        if new_length < old_length:
            batch_op.alter_column('kind', existing_type=sa.String(length=old_length),
                                  type_=sa.String(length=new_length), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_unit_unit_kind'), _values(values))


def _common_ancestor(parents, unit_ids):
    """The deepest unit that is, or is above, every one of ``unit_ids``; None if none."""
    def chain(unit_id):
        seen = []
        while unit_id is not None and unit_id not in seen:
            seen.append(unit_id)
            unit_id = parents.get(unit_id)
        return seen
    chains = [chain(unit_id) for unit_id in unit_ids]
    if not chains:
        return None
    shared = set(chains[0]).intersection(*map(set, chains[1:]))
    return next((unit_id for unit_id in chains[0] if unit_id in shared), None)


def upgrade():
    steps = _kind_column(8, 10, NEW)
    next(steps)
    op.execute("UPDATE unit SET kind = 'department' WHERE kind = 'agency'")
    next(steps, None)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organiser_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_organiser_id'), ['organiser_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_campaign_organiser_id_unit'), 'unit',
                                    ['organiser_id'], ['id'])

    connection = op.get_bind()
    parents = dict(connection.execute(sa.text("SELECT id, parent_id FROM unit")).all())
    covered = {}
    for campaign_id, unit_id in connection.execute(
            sa.text("SELECT campaign_id, unit_id FROM campaign_unit")):
        covered.setdefault(campaign_id, []).append(unit_id)
    for campaign_id, unit_ids in covered.items():
        organiser = _common_ancestor(parents, sorted(unit_ids))
        if organiser is not None:
            connection.execute(sa.text("UPDATE campaign SET organiser_id = :unit WHERE id = :id"),
                               {"unit": organiser, "id": campaign_id})

    op.execute("DELETE FROM user_unit WHERE user_id IN "
               "(SELECT id FROM staff_user WHERE role IN ('admin', 'viewer'))")


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_organiser_id_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_campaign_organiser_id'))
        batch_op.drop_column('organiser_id')

    steps = _kind_column(10, 8, OLD)
    next(steps)
    for new, old in DOWN.items():
        op.execute(f"UPDATE unit SET kind = '{old}' WHERE kind = '{new}'")
    next(steps, None)
