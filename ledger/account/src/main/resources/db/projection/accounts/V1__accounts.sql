-- The account projection's tables, created in each read-model schema next to the runtime's (its own
-- Flyway history: flyway_history_accounts). Owned by the writer role; the runtime's first migration
-- lets the query API's role read every table of the schema.

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

-- Transfers between two accounts: read by GET /transfers/{id}, filled by no projection yet. The
-- transfer projection takes it over (its first migration creates it IF NOT EXISTS) and a later
-- migration here drops it from this projection.
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
