"""search: full-text index over case titles, descriptions and comments; requester organisations

PostgreSQL: a generated tsvector column on cases with a GIN index, and a partial expression GIN
index over comment bodies in audit_events (both filled by the database for existing rows).
SQLite: FTS5 tables kept in step by triggers, filled from the existing rows by INSERT … SELECT.
The statements are search.models' (see there why the ORM cannot declare them).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from integrity_desk.search.models import statements

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Requester organisation, case-insensitively, by exact name or prefix.
    op.create_index("ix_cases_requester_org", "cases",
                    [sa.text("lower(requester_organisation)"), "id"])
    for statement in statements(op.get_bind().dialect.name, up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in statements(op.get_bind().dialect.name, up=False):
        op.execute(statement)
    op.drop_index("ix_cases_requester_org", table_name="cases")
