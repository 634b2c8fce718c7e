-- The projection runtime's own tables, in each read-model schema (a generation's tally_read_g<n>, or a
-- point-in-time copy's tally_asof_<instant>), whatever projections fill it. Owned by the writer role;
-- the query API's role (placeholder reader_role) may only read. Each projection's own tables come from
-- its own migrations, with their own history (ADR 33).

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
-- event of the same key could not be projected. Removing a row re-opens the key. kind: why, as a
-- word (gap, conflict, overlap, refused, undecodable, invalid); parked_by: the application.
CREATE TABLE parked_keys (
  projection    text        NOT NULL,
  topic         text        NOT NULL,
  record_key    text        NOT NULL,
  partition     integer     NOT NULL,
  parked_offset bigint      NOT NULL,
  reason        text        NOT NULL,
  parked_at     timestamptz NOT NULL,
  kind          text        GENERATED ALWAYS AS (split_part(reason, ':', 1)) STORED,
  parked_by     text,
  PRIMARY KEY (projection, topic, record_key)
);

-- Per projection and aggregate, the version of the last event applied and that event's id: what the
-- runtime checks each aggregate's next event against (contiguous versions, one event per version).
CREATE TABLE projected_versions (
  projection   text   NOT NULL,
  aggregate_id uuid   NOT NULL,
  version      bigint NOT NULL CHECK (version >= 1),
  -- NULL for rows carried over from before the runtime kept it: such a version cannot be checked.
  event_id     uuid,
  PRIMARY KEY (aggregate_id, projection)
) WITH (fillfactor = 70);
-- Updated all the time, on no indexed column: the room keeps the updates heap-only.

-- The reader role sees everything, now and in later migrations, and can change nothing.
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${reader_role};
GRANT SELECT ON ALL TABLES IN SCHEMA ${flyway:defaultSchema} TO ${reader_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${flyway:defaultSchema} GRANT SELECT ON TABLES TO ${reader_role};
