-- 0001: ingest. Every accepted event, the typed staging tables, and every refused request.
-- Applied by `sippet-sync migrate`; never edit an applied file, add a new one instead.

-- Every event Sippet sent and we acknowledged, exactly as received (G1, G2).
CREATE TABLE sippet_events (
  id              bigserial   PRIMARY KEY,
  event_id        text        NOT NULL,           -- envelope id: the idempotency key, forever
  webhook_id      text        NOT NULL,           -- webhook-id header (Standard Webhooks msg id)
  event_type      text        NOT NULL,
  version         text        NOT NULL,
  occurred_at     timestamptz NOT NULL,
  organisation_id text        NOT NULL,
  environment     text        NOT NULL,
  endpoint        text        NOT NULL,           -- configured path that received it
  record_id       text,                           -- data.id when it is a string
  raw_body        bytea       NOT NULL,           -- the signed bytes, never re-serialised
  payload         jsonb,                          -- NULL only when jsonb cannot hold it (\u0000)
  received_at     timestamptz NOT NULL DEFAULT now(),
  -- staged: typed staging row updated; superseded: typed family, but a newer state was
  -- already staged (G3); stored: known family without typed staging; unmapped: unknown
  -- event type; unsupported_version: unknown envelope version; invalid_data: envelope fine
  -- but data does not match the guide's type (see status_detail). All are replayable.
  status          text        NOT NULL CHECK (status IN ('staged', 'superseded', 'stored',
                               'unmapped', 'unsupported_version', 'invalid_data')),
  status_detail   text,
  CONSTRAINT sippet_events_event_id_key UNIQUE (event_id)
);
CREATE INDEX sippet_events_received_at_idx ON sippet_events (received_at);
CREATE INDEX sippet_events_type_occurred_idx ON sippet_events (event_type, occurred_at);
CREATE INDEX sippet_events_record_idx ON sippet_events (organisation_id, record_id);
CREATE INDEX sippet_events_status_idx ON sippet_events (status) WHERE status <> 'staged';

-- Newest state of each contact (G3): version_at is the record's updated_at when it has one,
-- else the envelope occurred_at; ties are broken by event id.
CREATE TABLE staging_contacts (
  organisation_id    text        NOT NULL,
  record_id          text        NOT NULL,
  environment        text        NOT NULL,
  data               jsonb       NOT NULL,
  record_inserted_at timestamptz,
  record_updated_at  timestamptz,
  deleted            boolean     NOT NULL DEFAULT false,
  deleted_at         timestamptz,
  version_at         timestamptz NOT NULL,
  last_event_id      text        NOT NULL,
  last_event_type    text        NOT NULL,
  last_occurred_at   timestamptz NOT NULL,
  first_staged_at    timestamptz NOT NULL DEFAULT now(),
  staged_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, record_id)
);

CREATE TABLE staging_conversations (LIKE staging_contacts INCLUDING ALL);

-- One typed column per field of the guide's EmailClassificationWebhookEvent.data.
CREATE TABLE staging_email_classifications (
  organisation_id          text        NOT NULL,
  record_id                text        NOT NULL,   -- data.id
  environment              text        NOT NULL,
  communication_message_id text        NOT NULL,
  status                   text        NOT NULL,   -- pending | classified | failed
  predicted_label          text,
  predicted_confidence     numeric,
  effective_label          text,
  effective_source         text,                   -- model | manual
  provider                 text        NOT NULL,
  model                    text        NOT NULL,
  taxonomy_version         text        NOT NULL,
  prompt_version           text        NOT NULL,
  token_usage              jsonb,
  estimated_cost           numeric,                -- from the guide's decimal string
  provider_response_id     text,
  last_error               text,
  classified_at            timestamptz,
  overridden_at            timestamptz,
  overridden_by_user_id    text,
  inserted_at              timestamptz NOT NULL,
  updated_at               timestamptz NOT NULL,
  data                     jsonb       NOT NULL,   -- the whole record, for mappings
  version_at               timestamptz NOT NULL,
  last_event_id            text        NOT NULL,
  last_event_type          text        NOT NULL,
  last_occurred_at         timestamptz NOT NULL,
  first_staged_at          timestamptz NOT NULL DEFAULT now(),
  staged_at                timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, record_id)
);
CREATE INDEX staging_email_classifications_message_idx
  ON staging_email_classifications (communication_message_id);

-- Every request that reached an endpoint and was refused (G6). No secrets: credentials
-- headers are masked before they are stored, and the body is a bounded prefix.
CREATE TABLE rejected_requests (
  id           bigserial   PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  endpoint     text        NOT NULL,               -- request path
  method       text        NOT NULL,
  remote_addr  text,
  http_status  integer     NOT NULL,
  reason       text        NOT NULL,               -- the error code in the response body
  message      text        NOT NULL,
  body_bytes   bigint      NOT NULL,               -- bytes read (or declared, for 413)
  headers      jsonb       NOT NULL,
  body_prefix  bytea       NOT NULL,
  webhook_id   text,
  event_id     text
);
CREATE INDEX rejected_requests_received_at_idx ON rejected_requests (received_at);
CREATE INDEX rejected_requests_reason_idx ON rejected_requests (reason, received_at);
