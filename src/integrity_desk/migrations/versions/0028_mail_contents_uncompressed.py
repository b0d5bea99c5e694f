"""mail contents stored without TOAST compression (PostgreSQL)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 23:00:00

What a mail stores is mostly compressed already (PDFs, images, office files) or base64 that
compresses by a quarter at best; pglz spent ~4 ms of PostgreSQL's CPU on each 200 KB letter
trying (bench/mail_intake.py: 9.4 -> 5.3 ms a letter). EXTERNAL keeps the bytes out of line,
uncompressed, and substring reads stay cheap. SQLite has no such setting.
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE mail_contents ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE mail_contents ALTER COLUMN content SET STORAGE EXTENDED")
