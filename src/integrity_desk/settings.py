"""Settings read from the environment (prefix ``IDESK_``), so one build runs anywhere."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IDESK_", extra="ignore")

    database_url: str = f"sqlite:///{Path.cwd() / 'integrity_desk.db'}"
    # Signs audit checkpoints; production sets its own. Checkpoints made with one key only
    # verify with that key, which is the point.
    secret_key: str = "dev-only-change-me"
    worker_poll_seconds: float = 1.0
    sla_sweep_seconds: int = 60
    # How often waiting cases gain the priority steps their queue's ageing gives them
    # (routing.ageing); a case is raised at most this late.
    routing_ageing_seconds: int = Field(default=300, ge=1)
    audit_checkpoint_seconds: int = 600
    db_pool_size: int = 10
    # The console's counts (queues page, overview) are a snapshot the worker recomputes this
    # often; a page finding it older than metrics_stale_seconds recomputes it itself.
    metrics_refresh_seconds: int = Field(default=30, ge=1)
    metrics_stale_seconds: int = Field(default=300, ge=1)
    # The KPIs' daily rollup (kpis.rollup): the worker brings it up to date this often; a page
    # or API call finding it older than kpi_stale_seconds brings it up to date itself.
    kpi_rollup_seconds: int = Field(default=300, ge=1)
    kpi_stale_seconds: int = Field(default=900, ge=1)
    # QA (quality.sampling): how often the worker draws decisions into the QA queue, and for
    # how many days after a review the reviewed person may dispute its verdict.
    qa_draw_seconds: int = Field(default=3600, ge=1)
    qa_dispute_days: int = Field(default=7, ge=1, le=90)
    # Fraud signals (docs/investigations.md): how often the worker runs them over businesses
    # whose reviews changed (nightly), and the strength (0-1) from which a finding opens an
    # investigation case or enriches an open one.
    signals_seconds: int = Field(default=86_400, ge=60)
    signal_open_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    # Parts the nightly pass is dealt into, one job each: as many as worker processes.
    signals_parts: int = Field(default=2, ge=1, le=64)
    # A policy question is due this many hours after it is raised (docs/quality.md).
    policy_question_hours: int = Field(default=72, ge=1)
    # Where people outside reach the desk (links in messages: the appeal form, …).
    public_base_url: str = "http://127.0.0.1:8000"
    # Requests per API token and per client address (a sliding window; "N/second|minute|hour").
    rate_limit_per_token: str = "1200/minute"
    rate_limit_per_address: str = "3000/minute"
    # Where the counters live: memory:// per process, redis://host:6379 shared by all servers.
    rate_limit_storage: str = "memory://"
    # Largest request body accepted (bytes); the flag batch route allows BATCH_BODY_BYTES.
    max_body_bytes: int = 1_048_576
    # Browser sessions (docs/access.md, "Signing in, sessions and tokens").
    session_idle_seconds: int = 30 * 60
    session_absolute_seconds: int = 12 * 3600
    # Read X-Forwarded-Proto / X-Forwarded-For only when a proxy of ours sets them.
    trust_proxy: bool = False
    login_lock_after: int = 5  # failures of one account before it is locked
    login_ip_lock_after: int = 20  # failures from one client address (shared offices: higher)
    login_backoff_seconds: float = 1.0  # the first lock; each further failure doubles it
    login_backoff_cap_seconds: float = 15 * 60
    login_failure_window_seconds: int = 3600  # failures older than this are forgotten
    # Personal data of a closed case is erased this many days after it closed (unless held);
    # the worker looks every retention_sweep_seconds, erasing retention_batch cases per run.
    retention_days: int = Field(default=365, ge=1)
    retention_sweep_seconds: int = 3600
    # Finished jobs are kept for operators to read, then deleted (failed ones longer).
    jobs_keep_done_days: int = Field(default=7, ge=1)
    jobs_keep_failed_days: int = Field(default=30, ge=1)
    retention_batch: int = Field(default=200, ge=1, le=5000)
    # The Commission's DSA Transparency Database (Art. 24(5)); submission is off while unset.
    dsa_api_url: str = ""
    dsa_api_token: str = ""
    dsa_submit_seconds: int = 300
    dsa_timeout_seconds: float = 30.0
    # Retries of one batch on 429/5xx before the run stops (the job retries it later).
    dsa_max_retries: int = 6
    # Webhooks (docs/webhooks.md). Fernet keys that encrypt signing secrets (comma-separated,
    # the first encrypts); empty: a key derived from secret_key.
    webhook_keys: str = ""
    webhook_poll_seconds: int = Field(default=2, ge=1)
    webhook_run_seconds: float = Field(default=20.0, gt=0)  # one job's time budget
    webhook_batch: int = Field(default=500, ge=1, le=5000)
    webhook_concurrency: int = Field(default=32, ge=1, le=1000)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # How long a claimed delivery is held by its worker; a killed worker's deliveries come due
    # again after it. Longer than the timeout.
    webhook_lease_seconds: int = Field(default=60, ge=1)
    webhook_max_attempts: int = Field(default=16, ge=1, le=100)
    webhook_backoff_base_seconds: float = Field(default=10.0, gt=0)
    webhook_backoff_cap_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_log_days: int = Field(default=30, ge=1)  # attempts and delivered rows kept
    # Plain http:// to hosts other than loopback (an internal network without TLS).
    webhook_allow_http: bool = False
    # Public forms (docs/forms.md): submissions per client address, and how long an appeal
    # link stays valid after it was sent (the window itself is 6 months from being informed).
    public_form_rate_limit: str = "10/hour"
    appeal_link_days: int = Field(default=200, ge=1)
    # E-mail (docs/email.md). The relay the outbox is delivered through:
    # smtp://user:pass@host:587?starttls=1, smtps://user:pass@host:465, smtp://host:25.
    # Unset: e-mail is off (messages stay queued, and no page claims one was sent).
    smtp_url: str = ""
    # Who the desk's letters are from; its domain names the Message-IDs.
    mail_from: str = "Integrity Desk <desk@integrity-desk.invalid>"
    # Where replies go: each letter's Reply-To is this address with the case's reply token
    # after a "+" (replies+c12-3f…@…); unset, the From address is used the same way.
    mail_reply_address: str = ""
    mail_poll_seconds: int = Field(default=2, ge=1)
    mail_run_seconds: float = Field(default=20.0, gt=0)  # one delivery job's time budget
    mail_batch: int = Field(default=200, ge=1, le=5000)
    mail_connections: int = Field(default=4, ge=1, le=64)  # SMTP sessions open at once
    mail_timeout_seconds: float = Field(default=30.0, gt=0)
    # A claimed message is held by its worker this long; a killed worker's come due again.
    mail_lease_seconds: int = Field(default=120, ge=1)
    mail_max_attempts: int = Field(default=12, ge=1, le=100)
    mail_backoff_base_seconds: float = Field(default=30.0, gt=0)
    mail_backoff_cap_seconds: float = Field(default=6 * 3600.0, gt=0)
    # Inbound: recipient local part -> case kind, "legal@=legal_notice,appeals@=appeal,…";
    # a full address ("legal@desk.example=legal_notice") binds one domain only.
    mail_routes: str = ("legal@=legal_notice,appeals@=appeal,escalations@=csm_escalation,"
                        "notices@=trusted_flagger_notice")
    mail_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)  # SIZE; larger gets 552
    mail_max_attachments: int = Field(default=20, ge=0, le=500)
    # Attachment types accepted (MIME types; a trailing /* takes a family).
    mail_attachment_types: str = ("application/pdf,image/*,text/plain,text/csv,"
                                  "application/msword,application/vnd.openxmlformats-"
                                  "officedocument.wordprocessingml.document,message/rfc822")
    mail_rate_per_sender: str = "60/hour"  # messages accepted per sending address

    @property
    def email_on(self) -> bool:
        """Whether the desk can send e-mail at all: pages say so plainly when it cannot,
        and never claim a message went out."""
        return bool(self.smtp_url.strip())


@lru_cache
def get_settings() -> Settings:
    return Settings()
