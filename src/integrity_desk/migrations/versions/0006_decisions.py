"""guidelines (versioned), decisions and their actions, four-eyes rules, out-of-court disputes,
the misuse ledger and measures (DSA Art. 23); what decisions change on reviews, reviewers and
businesses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:48:13.911945
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import integrity_desk.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('approval_rules',
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('updated_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('action', name=op.f('pk_approval_rules'))
    )
    op.create_table('guidelines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('dsa_category', sa.String(length=80), nullable=False),
    sa.Column('dsa_keywords', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('default_ground', sa.String(length=32), nullable=False),
    sa.Column('legal_ground', sa.String(length=500), nullable=True),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('sanctions', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('change_note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_guidelines_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidelines')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_guidelines_code'))
    )
    with op.batch_alter_table('guidelines', schema=None) as batch_op:
        batch_op.create_index('uq_guidelines_current', ['code'], unique=True, postgresql_where=sa.text('is_current'), sqlite_where=sa.text('is_current'))

    op.create_table('misuse_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_type', sa.String(length=16), nullable=False),
    sa.Column('party_key', sa.String(length=254), nullable=False),
    sa.Column('bucket', sa.String(length=32), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('manifest_count', sa.Integer(), nullable=False),
    sa.Column('total_count', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('starts_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_misuse_measures_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_misuse_measures'))
    )
    with op.batch_alter_table('misuse_measures', schema=None) as batch_op:
        batch_op.create_index('ix_misuse_measures_party', ['party_type', 'party_key', 'bucket', 'starts_at'], unique=False)
        batch_op.create_index('ix_misuse_measures_starts', ['starts_at', 'id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('guideline_id', sa.Integer(), nullable=True),
    sa.Column('ground', sa.String(length=32), nullable=True),
    sa.Column('legal_ground', sa.String(length=500), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('automated_detection', sa.Boolean(), nullable=False),
    sa.Column('automated_decision', sa.String(length=16), nullable=False),
    sa.Column('territorial_scope', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=False),
    sa.Column('manifest', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('appeal_of_id', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['appeal_of_id'], ['decisions.id'], name=op.f('fk_decisions_appeal_of_id_decisions')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_decisions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['guideline_id'], ['guidelines.id'], name=op.f('fk_decisions_guideline_id_guidelines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index('ix_decisions_awaiting', ['status', 'id'], unique=False, postgresql_where=sa.text("status = 'awaiting_approval'"), sqlite_where=sa.text("status = 'awaiting_approval'"))
        batch_op.create_index('ix_decisions_case', ['case_id', 'id'], unique=False)
        batch_op.create_index('ix_decisions_decided_at', ['decided_at', 'id'], unique=False)

    op.create_table('decision_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=True),
    sa.Column('ends_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('applied_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reversed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_decision_actions_decision_id_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reversed_by_id'], ['decisions.id'], name=op.f('fk_decision_actions_reversed_by_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_actions'))
    )
    with op.batch_alter_table('decision_actions', schema=None) as batch_op:
        batch_op.create_index('ix_decision_actions_decision', ['decision_id', 'id'], unique=False)
        batch_op.create_index('ix_decision_actions_documentation_due', ['ends_at'], unique=False, postgresql_where=sa.text("action = 'request_documentation' AND closed_at IS NULL"), sqlite_where=sa.text("action = 'request_documentation' AND closed_at IS NULL"))
        batch_op.create_index('ix_decision_actions_subject', ['subject_type', 'subject_id', 'id'], unique=False)

    op.create_table('misuse_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_type', sa.String(length=16), nullable=False),
    sa.Column('party_key', sa.String(length=254), nullable=False),
    sa.Column('bucket', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_misuse_events_case_id_cases')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_misuse_events_decision_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_misuse_events'))
    )
    with op.batch_alter_table('misuse_events', schema=None) as batch_op:
        batch_op.create_index('ix_misuse_events_bucket', ['bucket', 'occurred_at'], unique=False)
        batch_op.create_index('ix_misuse_events_party', ['party_type', 'party_key', 'bucket', 'occurred_at'], unique=False)

    op.create_table('out_of_court_disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('submitted_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('decided_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('implemented', sa.Boolean(), nullable=True),
    sa.Column('implemented_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_out_of_court_disputes_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_out_of_court_disputes_created_by_id_users')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_out_of_court_disputes_decision_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_out_of_court_disputes'))
    )
    with op.batch_alter_table('out_of_court_disputes', schema=None) as batch_op:
        batch_op.create_index('ix_out_of_court_disputes_case', ['case_id', 'id'], unique=False)
        batch_op.create_index('ix_out_of_court_disputes_submitted', ['submitted_at', 'id'], unique=False)

    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consumer_warning', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('consumer_warning_until', integrity_desk.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('features_status', sa.String(length=16), server_default='full', nullable=False))
        batch_op.add_column(sa.Column('features_until', integrity_desk.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('warning_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('reviewers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_until', integrity_desk.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('warning_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=300), nullable=True))


    # Everything one notifier sent, case-insensitively (misuse counters, DSA Art. 23).
    op.create_index("ix_cases_requester_contact", "cases",
                    [sa.text("lower(requester_contact)"), "created_at"])
    op.create_index("ix_case_requests_contact", "case_requests",
                    [sa.text("lower(requester_contact)"), "received_at"])


def downgrade() -> None:
    op.drop_index("ix_case_requests_contact", table_name="case_requests")
    op.drop_index("ix_cases_requester_contact", table_name="cases")
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('label')

    with op.batch_alter_table('reviewers', schema=None) as batch_op:
        batch_op.drop_column('warning_count')
        batch_op.drop_column('suspended_until')

    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_column('warning_count')
        batch_op.drop_column('features_until')
        batch_op.drop_column('features_status')
        batch_op.drop_column('consumer_warning_until')
        batch_op.drop_column('consumer_warning')

    with op.batch_alter_table('out_of_court_disputes', schema=None) as batch_op:
        batch_op.drop_index('ix_out_of_court_disputes_submitted')
        batch_op.drop_index('ix_out_of_court_disputes_case')

    op.drop_table('out_of_court_disputes')
    with op.batch_alter_table('misuse_events', schema=None) as batch_op:
        batch_op.drop_index('ix_misuse_events_party')
        batch_op.drop_index('ix_misuse_events_bucket')

    op.drop_table('misuse_events')
    with op.batch_alter_table('decision_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_actions_subject')
        batch_op.drop_index('ix_decision_actions_documentation_due', postgresql_where=sa.text("action = 'request_documentation' AND closed_at IS NULL"), sqlite_where=sa.text("action = 'request_documentation' AND closed_at IS NULL"))
        batch_op.drop_index('ix_decision_actions_decision')

    op.drop_table('decision_actions')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decisions_decided_at')
        batch_op.drop_index('ix_decisions_case')
        batch_op.drop_index('ix_decisions_awaiting', postgresql_where=sa.text("status = 'awaiting_approval'"), sqlite_where=sa.text("status = 'awaiting_approval'"))

    op.drop_table('decisions')
    with op.batch_alter_table('misuse_measures', schema=None) as batch_op:
        batch_op.drop_index('ix_misuse_measures_starts')
        batch_op.drop_index('ix_misuse_measures_party')

    op.drop_table('misuse_measures')
    with op.batch_alter_table('guidelines', schema=None) as batch_op:
        batch_op.drop_index('uq_guidelines_current', postgresql_where=sa.text('is_current'), sqlite_where=sa.text('is_current'))

    op.drop_table('guidelines')
    op.drop_table('approval_rules')
