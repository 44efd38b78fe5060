"""Results settings: the mean-of-criteria headline, dossier weighting, comparison minimum.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weighting', sa.String(length=20), nullable=False,
                                      server_default='respondent'))
        batch_op.add_column(sa.Column('min_compare_responses', sa.Integer(), nullable=False,
                                      server_default='30'))
        batch_op.drop_constraint(batch_op.f('ck_campaign_headline_method'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_campaign_headline_method'),
            "headline_method IN ('mean-of-elements', 'pooled', 'mean-of-criteria')")
        batch_op.create_check_constraint(batch_op.f('ck_campaign_weighting'),
                                         "weighting IN ('respondent', 'dossier')")
        batch_op.create_check_constraint(batch_op.f('ck_campaign_min_compare_responses'),
                                         'min_compare_responses >= 2')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.alter_column('weighting', server_default=None)
        batch_op.alter_column('min_compare_responses', server_default=None)


def downgrade():
    op.execute("UPDATE campaign SET headline_method = 'pooled' "
               "WHERE headline_method = 'mean-of-criteria'")
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_campaign_min_compare_responses'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_campaign_weighting'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_campaign_headline_method'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_campaign_headline_method'),
                                         "headline_method IN ('mean-of-elements', 'pooled')")
        batch_op.drop_column('min_compare_responses')
        batch_op.drop_column('weighting')
