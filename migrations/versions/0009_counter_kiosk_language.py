"""Counter setting "show the language link in kiosk mode" (``counter.kiosk_language``).

A kiosk tablet shows no "English" link unless its counter enables it (docs/public-form.md).
One column added to ``counter`` in place (``ALTER TABLE … ADD COLUMN`` on both backends, no
batch-mode rebuild): ``response`` and ``answer``, and 0008's triggers on them, are untouched.
Undone with a plain ``DROP COLUMN`` (SQLite ≥ 3.35), never batch mode's copy-and-drop of the
counter table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('counter', sa.Column('kiosk_language', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade():
    op.drop_column('counter', 'kiosk_language')
