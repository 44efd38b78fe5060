"""Initial schema: units, counters, instruments, campaigns, responses, sheets, staff, audit.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 10:47:31.705994

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('instrument_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_version')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_instrument_version_code_version'))
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_key'), ['key'], unique=False)

    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'unit_staff', 'viewer', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_user_username'))
    )
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('agency', 'commune', 'district', name='unit_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('field_codes', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_parent_id'), ['parent_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_audit_event_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_user_id'), ['user_id'], unique=False)

    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('instrument_version_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('headline_method', sa.String(length=20), nullable=False),
    sa.Column('valid_threshold', sa.Float(), nullable=False),
    sa.Column('margin_of_error', sa.Float(), nullable=False),
    sa.Column('optional_blocks', sa.JSON(), nullable=False),
    sa.Column('scoring_file', sa.String(length=100), nullable=False),
    sa.Column('previous_campaign_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'approved', name='campaign_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("headline_method IN ('mean-of-elements', 'pooled')", name=op.f('ck_campaign_headline_method')),
    sa.CheckConstraint('margin_of_error > 0 AND margin_of_error < 1', name=op.f('ck_campaign_margin_of_error')),
    sa.CheckConstraint('starts_on <= deadline', name=op.f('ck_campaign_period')),
    sa.CheckConstraint('valid_threshold > 0 AND valid_threshold <= 1', name=op.f('ck_campaign_valid_threshold')),
    sa.ForeignKeyConstraint(['instrument_version_id'], ['instrument_version.id'], name=op.f('fk_campaign_instrument_version_id_instrument_version')),
    sa.ForeignKeyConstraint(['previous_campaign_id'], ['campaign.id'], name=op.f('fk_campaign_previous_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('code', name=op.f('uq_campaign_code'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_instrument_version_id'), ['instrument_version_id'], unique=False)

    op.create_table('counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('kiosk', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('token_issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_counter_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter')),
    sa.UniqueConstraint('token', name=op.f('uq_counter_token'))
    )
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_unit_id'), ['unit_id'], unique=False)

    op.create_table('user_unit',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_user_unit_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_user_unit_user_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'unit_id', name=op.f('pk_user_unit'))
    )
    with op.batch_alter_table('user_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_unit_unit_id'), ['unit_id'], unique=False)

    op.create_table('campaign_unit',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('transactions_n', sa.Integer(), nullable=True),
    sa.Column('fixed_target', sa.Integer(), nullable=True),
    sa.CheckConstraint('fixed_target IS NULL OR fixed_target > 0', name=op.f('ck_campaign_unit_fixed_target')),
    sa.CheckConstraint('transactions_n IS NULL OR transactions_n >= 0', name=op.f('ck_campaign_unit_transactions_n')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_unit_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_campaign_unit_unit_id_unit')),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', name=op.f('pk_campaign_unit'))
    )
    with op.batch_alter_table('campaign_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_unit_unit_id'), ['unit_id'], unique=False)

    op.create_table('result_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('instrument_versions', sa.JSON(), nullable=False),
    sa.Column('response_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('n_responses', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('xlsx', sa.LargeBinary(), nullable=False),
    sa.Column('xlsx_sha256', sa.String(length=64), nullable=False),
    sa.Column('csv', sa.LargeBinary(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['staff_user.id'], name=op.f('fk_result_snapshot_approved_by_id_staff_user')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_result_snapshot_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_snapshot')),
    sa.UniqueConstraint('campaign_id', 'version', name=op.f('uq_result_snapshot_campaign_id_version'))
    )
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_snapshot_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('sheet_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('sheet_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=True),
    sa.CheckConstraint('sheet_count BETWEEN 1 AND 2000', name=op.f('ck_sheet_batch_sheet_count')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_sheet_batch_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_sheet_batch_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_sheet_batch_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_batch'))
    )
    with op.batch_alter_table('sheet_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_batch_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sheet_batch_unit_id'), ['unit_id'], unique=False)

    op.create_table('sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=16), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['sheet_batch.id'], name=op.f('fk_sheet_batch_id_sheet_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet')),
    sa.UniqueConstraint('serial', name=op.f('uq_sheet_serial')),
    sa.UniqueConstraint('token', name=op.f('uq_sheet_token'))
    )
    with op.batch_alter_table('sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_batch_id'), ['batch_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('payload_digest', sa.String(length=64), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('sheet_id', sa.Integer(), nullable=True),
    sa.Column('instrument_version_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('qr', 'kiosk', 'paper', 'import', name='channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('respondent_type', sa.String(length=20), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('age_band', sa.String(length=10), nullable=True),
    sa.Column('submission_mode', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('n_rated', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.Enum('valid', 'invalid', 'flagged', name='response_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('flag_reason', sa.String(length=200), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_hash', sa.String(length=64), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('n_rated >= 0', name=op.f('ck_response_n_rated')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_response_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_response_counter_id_counter')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['staff_user.id'], name=op.f('fk_response_entered_by_id_staff_user')),
    sa.ForeignKeyConstraint(['instrument_version_id'], ['instrument_version.id'], name=op.f('fk_response_instrument_version_id_instrument_version')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['staff_user.id'], name=op.f('fk_response_reviewed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['sheet_id'], ['sheet.id'], name=op.f('fk_response_sheet_id_sheet')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_response_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('sheet_id', name=op.f('uq_response_sheet_id')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_response_submission_key'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index('ix_response_campaign_status_unit', ['campaign_id', 'status', 'unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_client_hash'), ['client_hash'], unique=False)
        batch_op.create_index('ix_response_counter_received', ['counter_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_unit_id'), ['unit_id'], unique=False)

    op.create_table('answer',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=20), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('value BETWEEN 0 AND 5', name=op.f('ck_answer_value')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'item_code', name=op.f('pk_answer')),
    sqlite_with_rowid=False
    )
    op.create_table('verification_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('matches', sa.Boolean(), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['staff_user.id'], name=op.f('fk_verification_entry_entered_by_id_staff_user')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['staff_user.id'], name=op.f('fk_verification_entry_resolved_by_id_staff_user')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_verification_entry_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_entry')),
    sa.UniqueConstraint('response_id', name=op.f('uq_verification_entry_response_id'))
    )

    _create_immutability_triggers()


# A published instrument version is immutable (DESIGN.md, integrity): the ORM refuses
# changes, and these triggers refuse them from any other client too.
_MESSAGE = "published instrument version is immutable"


def _create_immutability_triggers():
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER instrument_version_immutable_{event.lower()} "
                f"BEFORE {event} ON instrument_version "
                "WHEN OLD.published_at IS NOT NULL "
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION instrument_version_immutable() RETURNS trigger AS $$ "
            "BEGIN IF OLD.published_at IS NOT NULL THEN "
            f"RAISE EXCEPTION '{_MESSAGE}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; "
            "$$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER instrument_version_immutable BEFORE UPDATE OR DELETE "
            "ON instrument_version FOR EACH ROW EXECUTE FUNCTION instrument_version_immutable()"
        )


def _drop_immutability_triggers():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS instrument_version_immutable_update")
        op.execute("DROP TRIGGER IF EXISTS instrument_version_immutable_delete")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS instrument_version_immutable ON instrument_version")
        op.execute("DROP FUNCTION IF EXISTS instrument_version_immutable()")


def downgrade():
    _drop_immutability_triggers()
    op.drop_table('verification_entry')
    op.drop_table('answer')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_unit_id'))
        batch_op.drop_index('ix_response_counter_received')
        batch_op.drop_index(batch_op.f('ix_response_client_hash'))
        batch_op.drop_index('ix_response_campaign_status_unit')

    op.drop_table('response')
    with op.batch_alter_table('sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_batch_id'))

    op.drop_table('sheet')
    with op.batch_alter_table('sheet_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_batch_unit_id'))
        batch_op.drop_index(batch_op.f('ix_sheet_batch_campaign_id'))

    op.drop_table('sheet_batch')
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_snapshot_campaign_id'))

    op.drop_table('result_snapshot')
    with op.batch_alter_table('campaign_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_unit_unit_id'))

    op.drop_table('campaign_unit')
    with op.batch_alter_table('user_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_unit_unit_id'))

    op.drop_table('user_unit')
    with op.batch_alter_table('counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_unit_id'))

    op.drop_table('counter')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_instrument_version_id'))

    op.drop_table('campaign')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_user_id'))
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_parent_id'))

    op.drop_table('unit')
    op.drop_table('staff_user')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_key'))
        batch_op.drop_index(batch_op.f('ix_login_failure_failed_at'))

    op.drop_table('login_failure')
    op.drop_table('instrument_version')
