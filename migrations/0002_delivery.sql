-- 0002: delivery. Jobs per (mapping, record), every outbound HTTP attempt, external ids.

-- One row per staged change waiting to go out to one mapping's target (DESIGN §5). At most
-- one open (pending or running) job per (mapping, record): a newer change coalesces into it,
-- and the worker reads the newest staged state when it runs.
CREATE TABLE sync_jobs (
  id              bigserial   PRIMARY KEY,
  mapping         text        NOT NULL,
  target          text        NOT NULL,
  staging_table   text        NOT NULL,           -- staging_contacts | staging_conversations | ...
  organisation_id text        NOT NULL,
  record_id       text        NOT NULL,
  -- pending: waiting for run_after; running: claimed by a worker until locked_until;
  -- done: delivered (or nothing to do: see outcome); dead: gave up, see dead_reason.
  state           text        NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'running', 'done', 'dead')),
  outcome         text,                           -- done: delivered | skipped | deleted
  attempts        integer     NOT NULL DEFAULT 0, -- attempts that counted against the budget
  changes         integer     NOT NULL DEFAULT 1, -- staged changes coalesced into this job
  last_event_id   text        NOT NULL,
  run_after       timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  claim_count     integer     NOT NULL DEFAULT 0, -- fencing token: bumped by every claim
  claimed_by      text,
  rerun           boolean     NOT NULL DEFAULT false, -- a change arrived while running
  last_status     integer,
  last_error      text,
  dead_reason     text,
  external_id     text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE UNIQUE INDEX sync_jobs_one_open_idx ON sync_jobs (mapping, organisation_id, record_id)
  WHERE state IN ('pending', 'running');
CREATE INDEX sync_jobs_ready_idx ON sync_jobs (mapping, run_after) WHERE state = 'pending';
CREATE INDEX sync_jobs_running_idx ON sync_jobs (locked_until) WHERE state = 'running';
CREATE INDEX sync_jobs_record_idx ON sync_jobs (organisation_id, record_id);
CREATE INDEX sync_jobs_dead_idx ON sync_jobs (target, finished_at) WHERE state = 'dead';

-- Every outbound HTTP attempt (G6), written in the transaction that moves its job. No
-- credentials: URL and headers are redacted; bodies are redacted and bounded.
CREATE TABLE delivery_attempts (
  id              bigserial   PRIMARY KEY,
  job_id          bigint      NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
  attempt         integer     NOT NULL,           -- the job's attempt number (1-based)
  step            text        NOT NULL,           -- native | search | create | update | delete | token
  mapping         text        NOT NULL,
  target          text        NOT NULL,
  started_at      timestamptz NOT NULL,
  duration_ms     integer     NOT NULL,
  method          text        NOT NULL,
  url             text        NOT NULL,
  request_headers jsonb       NOT NULL,
  request_body    text,
  status          integer,                        -- NULL when no response (see error_class)
  response_body   text,
  error_class     text        NOT NULL,           -- success | retryable | rate_limited | auth | quota | terminal
  error           text,
  fenced          boolean     NOT NULL DEFAULT false  -- the worker had lost its lease
);
CREATE INDEX delivery_attempts_job_idx ON delivery_attempts (job_id, id);
CREATE INDEX delivery_attempts_target_time_idx ON delivery_attempts (target, started_at);

-- External ids: which CRM record each Sippet record became, per target and object.
CREATE TABLE crm_links (
  target          text        NOT NULL,
  object          text        NOT NULL,
  organisation_id text        NOT NULL,
  record_id       text        NOT NULL,
  external_id     text        NOT NULL,
  mapping         text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target, object, organisation_id, record_id)
);
CREATE INDEX crm_links_external_idx ON crm_links (target, object, external_id);
