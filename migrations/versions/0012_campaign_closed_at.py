"""When a campaign actually closed (campaign.closed_at).

A campaign closed before its deadline says so to the citizen ("đã kết thúc sớm vào ngày …").

Set when the campaign is closed, cleared when it is reopened, kept on approval. Campaigns
already closed or approved get the moment of their last closing in the audit log (the
``campaign.state`` event whose ``after`` is ``closed``), else stay empty.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 20:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    ended = dict(connection.execute(sa.text(
        "SELECT code, id FROM campaign WHERE state IN ('closed', 'approved')")).all())
    if not ended:
        return
    events = connection.execute(sa.text(
        "SELECT object_id, at, after FROM audit_event "
        "WHERE action = 'campaign.state' AND object_type = 'campaign' ORDER BY at")).all()
    closed_at = {}
    for code, at, after in events:
        after = json.loads(after) if isinstance(after, str) else after
        if code in ended and isinstance(after, dict) and after.get("state") == "closed":
            closed_at[code] = at  # the last closing wins
    for code, at in closed_at.items():
        connection.execute(sa.text("UPDATE campaign SET closed_at = :at WHERE id = :id"),
                           {"at": at, "id": ended[code]})


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
