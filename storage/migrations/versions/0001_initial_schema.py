"""initial schema

Revision ID: 0001
Revises: 
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('candidate',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('org', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('search_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('education', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ethnicity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('religion', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('youth_union', sa.Boolean(), nullable=False),
    sa.Column('trade_union', sa.Boolean(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('identified_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('ceremony_on', sa.Date(), nullable=True),
    sa.Column('probation_ends_on', sa.Date(), nullable=True),
    sa.Column('official_on', sa.Date(), nullable=True),
    sa.Column('dropped_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_org'), ['org'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_search_name'), ['search_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_stage'), ['stage'], unique=False)

    op.create_table('checkpoint',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('streams', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('last_position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_digest'), ['digest'], unique=False)

    op.create_table('deadline',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('stream_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('org', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('rule_set', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('calendar', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stream_id', 'kind', name='uq_deadline_stream_kind')
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_org'), ['org'], unique=False)
        batch_op.create_index('ix_deadline_status_due', ['status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_stream_id'), ['stream_id'], unique=False)

    op.create_table('event',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('stream_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('rule_set', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('derived', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('position'),
    sa.UniqueConstraint('stream_id', 'version', name='uq_event_stream_version')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_recorded_at', ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_stream_id'), ['stream_id'], unique=False)

    op.create_table('organisation',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('parent_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('admits', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['organisation.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_parent_code'), ['parent_code'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_parent_code'))

    op.drop_table('organisation')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_stream_id'))
        batch_op.drop_index('ix_event_recorded_at')

    op.drop_table('event')
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_stream_id'))
        batch_op.drop_index('ix_deadline_status_due')
        batch_op.drop_index(batch_op.f('ix_deadline_org'))

    op.drop_table('deadline')
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_digest'))

    op.drop_table('checkpoint')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_stage'))
        batch_op.drop_index(batch_op.f('ix_candidate_search_name'))
        batch_op.drop_index(batch_op.f('ix_candidate_org'))

    op.drop_table('candidate')
    
