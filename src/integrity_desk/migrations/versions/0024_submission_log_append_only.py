"""the Transparency Database submission log is append-only in the database itself

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:00:00

The log is the desk's proof of what it sent to the Commission and when (DSA Art. 24(5)). The
code only ever inserts into it; triggers make the database refuse anything else, so that a
stray script, a retention job or a hand-typed statement cannot rewrite that record either.
Both refusals are constraint errors (PostgreSQL SQLSTATE 23001 restrict_violation; SQLite
RAISE(ABORT) is SQLITE_CONSTRAINT), so SQLAlchemy raises IntegrityError on both databases.
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TABLE = "dsa_submission_log"
MESSAGE = f"{TABLE} is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION idesk_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END $$ LANGUAGE plpgsql""")
        op.execute(f"""
            CREATE TRIGGER trg_{TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION idesk_refuse_change()""")
        # TRUNCATE fires no row trigger; it is refused by a statement trigger of its own.
        op.execute(f"""
            CREATE TRIGGER trg_{TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION idesk_refuse_change()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER trg_{TABLE}_append_only_{event.lower()} BEFORE {event} ON {TABLE}
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {event} refused'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER trg_{TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER trg_{TABLE}_append_only ON {TABLE}")
        op.execute("DROP FUNCTION idesk_refuse_change()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER trg_{TABLE}_append_only_{event}")
