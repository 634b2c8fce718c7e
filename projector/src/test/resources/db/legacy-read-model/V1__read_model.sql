-- The read model of the account projection, created in each generation's own schema (Flyway's
-- default schema: tally_read_g<n>, or tally_asof_<instant> for a point-in-time copy). Owned by the
-- writer role; the query API's role (placeholder reader_role, default tally_reader) may only read it.

-- Current state of every account: one row, moved forward only (guarded by the aggregate version).
CREATE TABLE accounts (
  account_id uuid PRIMARY KEY,
  owner      text        NOT NULL,
  currency   text        NOT NULL,
  balance    bigint      NOT NULL,
  status     text        NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
  version    bigint      NOT NULL CHECK (version >= 1),
  opened_at  timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
) WITH (fillfactor = 70);
-- Room on every page for the new version of a row: the projector updates accounts all the time,
-- and no indexed column changes, so updates stay heap-only (HOT) and touch no index.

-- GET /accounts?owner=...: keyset paging in opening order, ties broken by id.
CREATE INDEX accounts_by_owner ON accounts (owner, opened_at, account_id);

-- One line per money event, with the balance after it. (account_id, version) is the event's
-- identity, so inserting a line twice is a no-op; GET /accounts/{id}/transactions pages on it.
CREATE TABLE account_transactions (
  account_id    uuid        NOT NULL,
  version       bigint      NOT NULL CHECK (version >= 1),
  type          text        NOT NULL CHECK (type IN ('DEPOSIT', 'WITHDRAWAL')),
  amount        bigint      NOT NULL,
  balance_after bigint      NOT NULL,
  reference     text        NOT NULL,
  occurred_at   timestamptz NOT NULL,
  event_id      uuid        NOT NULL,
  PRIMARY KEY (account_id, version)
);

-- Transfers between two accounts (filled by the transfer projection when transfers exist).
CREATE TABLE transfers (
  transfer_id  uuid        PRIMARY KEY,
  from_account uuid        NOT NULL,
  to_account   uuid        NOT NULL,
  amount       bigint      NOT NULL CHECK (amount > 0),
  status       text        NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
  reason       text,
  version      bigint      NOT NULL CHECK (version >= 1),
  updated_at   timestamptz NOT NULL
);

-- How far each projection has applied each topic partition. Written in the same transaction as
-- the rows it covers, so it never claims more than the tables hold.
CREATE TABLE projection_checkpoints (
  projection           text        NOT NULL,
  topic                text        NOT NULL,
  partition            integer     NOT NULL CHECK (partition >= 0),
  applied_offset       bigint      NOT NULL CHECK (applied_offset >= 0),
  last_event_timestamp timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  PRIMARY KEY (projection, topic, partition)
);

-- Keys whose events are held back (sent to the dead-letter topic in order) because an earlier
-- event of the same key could not be projected. Removing a row re-opens the key.
CREATE TABLE parked_keys (
  projection    text        NOT NULL,
  topic         text        NOT NULL,
  record_key    text        NOT NULL,
  partition     integer     NOT NULL,
  parked_offset bigint      NOT NULL,
  reason        text        NOT NULL,
  parked_at     timestamptz NOT NULL,
  PRIMARY KEY (projection, topic, record_key)
);

-- What a consistency token is checked against: the version each aggregate has reached in the
-- read model. New aggregate types add a branch here; readers do not change.
CREATE VIEW aggregate_versions AS
  SELECT account_id AS aggregate_id, version FROM accounts;

-- The reader role sees everything, now and in later migrations, and can change nothing.
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${reader_role};
GRANT SELECT ON ALL TABLES IN SCHEMA ${flyway:defaultSchema} TO ${reader_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${flyway:defaultSchema} GRANT SELECT ON TABLES TO ${reader_role};
