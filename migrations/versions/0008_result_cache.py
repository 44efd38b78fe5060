"""Computed results cached, keyed by per-unit revision counters kept by triggers.

``result_revision`` counts the changes to the responses of each (campaign, unit). Triggers on
``response`` and ``answer`` bump it in the same transaction as any insert, update or delete,
whoever issues it (the application, a bulk statement, psql), so the counters are complete by
construction: a write path cannot forget them. On SQLite the triggers are per row; on
PostgreSQL per statement, over the statement's transition tables, so a multi-row insert
bumps each counter once.

``result_cache`` holds the computed parts of a campaign's results with the fingerprint they
were computed for (revisions, settings, code); see survey_app/domain/results/result_cache.py.

A later migration that rebuilds ``response`` or ``answer`` on SQLite (batch mode's
copy-and-drop) drops these triggers with the old table and must create them again;
tests/results/test_result_cache.py checks that they are there at head.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

#: SQLite: one upsert per changed row.
_SQLITE_BUMP = """
    INSERT INTO result_revision (campaign_id, unit_id, revision) {source}
    ON CONFLICT (campaign_id, unit_id) DO UPDATE SET revision = revision + 1;"""
_SQLITE_ROW = "VALUES ({row}.campaign_id, {row}.unit_id, 1)"
_SQLITE_ANSWER = ("SELECT campaign_id, unit_id, 1 FROM response "
                  "WHERE response.id = {row}.response_id")

SQLITE_TRIGGERS = {
    "result_revision_response_insert": ("AFTER INSERT ON response", ["NEW"], _SQLITE_ROW),
    "result_revision_response_update": ("AFTER UPDATE ON response", ["OLD", "NEW"],
                                        _SQLITE_ROW),
    "result_revision_response_delete": ("AFTER DELETE ON response", ["OLD"], _SQLITE_ROW),
    "result_revision_answer_insert": ("AFTER INSERT ON answer", ["NEW"], _SQLITE_ANSWER),
    "result_revision_answer_update": ("AFTER UPDATE ON answer", ["OLD", "NEW"],
                                      _SQLITE_ANSWER),
    "result_revision_answer_delete": ("AFTER DELETE ON answer", ["OLD"], _SQLITE_ANSWER),
}

#: PostgreSQL: one upsert per statement, each (campaign, unit) once, in key order.
_PG_FUNCTION = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO result_revision (campaign_id, unit_id, revision)
        SELECT DISTINCT campaign_id, unit_id, 1 FROM ({new}) AS changed ORDER BY 1, 2
        ON CONFLICT (campaign_id, unit_id)
        DO UPDATE SET revision = result_revision.revision + 1;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO result_revision (campaign_id, unit_id, revision)
        SELECT DISTINCT campaign_id, unit_id, 1 FROM ({old} UNION {new}) AS changed
        ORDER BY 1, 2
        ON CONFLICT (campaign_id, unit_id)
        DO UPDATE SET revision = result_revision.revision + 1;
    ELSE
        INSERT INTO result_revision (campaign_id, unit_id, revision)
        SELECT DISTINCT campaign_id, unit_id, 1 FROM ({old}) AS changed ORDER BY 1, 2
        ON CONFLICT (campaign_id, unit_id)
        DO UPDATE SET revision = result_revision.revision + 1;
    END IF;
    RETURN NULL;
END $$"""
_PG_RESPONSE_ROWS = "SELECT campaign_id, unit_id FROM {table}"
_PG_ANSWER_ROWS = ("SELECT r.campaign_id, r.unit_id FROM {table} AS a "
                   "JOIN response AS r ON r.id = a.response_id")
PG_FUNCTIONS = {"result_revision_from_response": _PG_RESPONSE_ROWS,
                "result_revision_from_answer": _PG_ANSWER_ROWS}
#: (trigger, table, event, transition tables, function)
PG_TRIGGERS = [
    (f"result_revision_{table}_{event.lower()}", table, event, referencing,
     f"result_revision_from_{table}")
    for table in ("response", "answer")
    for event, referencing in (("INSERT", "NEW TABLE AS new_rows"),
                               ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                               ("DELETE", "OLD TABLE AS old_rows"))
]


def upgrade():
    op.create_table(
        'result_revision',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_result_revision_campaign_id_campaign'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', 'unit_id', name=op.f('pk_result_revision')),
    )
    op.create_table(
        'result_cache',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=40), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_result_cache_campaign_id_campaign'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', 'part', name=op.f('pk_result_cache')),
    )
    op.execute("INSERT INTO result_revision (campaign_id, unit_id, revision) "
               "SELECT DISTINCT campaign_id, unit_id, 1 FROM response")
    if op.get_bind().dialect.name == "postgresql":
        for name, rows in PG_FUNCTIONS.items():
            op.execute(_PG_FUNCTION.format(name=name, new=rows.format(table="new_rows"),
                                           old=rows.format(table="old_rows")))
        for trigger, table, event, referencing, function in PG_TRIGGERS:
            op.execute(f"CREATE TRIGGER {trigger} AFTER {event} ON {table} "
                       f"REFERENCING {referencing} FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION {function}()")
    else:
        for trigger, (when, rows, source) in SQLITE_TRIGGERS.items():
            body = "".join(_SQLITE_BUMP.format(source=source.format(row=row)) for row in rows)
            op.execute(f"CREATE TRIGGER {trigger} {when} BEGIN{body}\nEND")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table, *_ in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table('result_cache')
    op.drop_table('result_revision')
