"""Channel "odk": responses collected with ODK Collect or KoboCollect (the OpenRosa server).

The channel column keeps its 6 characters; only its CHECK constraint gains the value.
Undoing it turns the ODK responses into "import" (a file brought in from elsewhere is the
nearest of the older channels), so no response is lost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD = ('qr', 'kiosk', 'paper', 'import')
NEW = (*OLD, 'odk')


def _values(values):
    return "channel IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _check(values):
    # Batch mode rebuilds the table on SQLite; env.py turns foreign keys off meanwhile, so
    # the answers are not cascade-deleted with the old table.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_response_channel'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_response_channel'), _values(values))


def upgrade():
    _check(NEW)


def downgrade():
    op.execute("UPDATE response SET channel = 'import' WHERE channel = 'odk'")
    _check(OLD)
