-- Per projection and aggregate, the version of the last event applied and that event's id: what the
-- projection runtime checks each aggregate's next event against (contiguous versions, one event per
-- version), whatever the projection's own tables are. Updated in the batch's transaction.
CREATE TABLE projected_versions (
  projection   text   NOT NULL,
  aggregate_id uuid   NOT NULL,
  version      bigint NOT NULL CHECK (version >= 1),
  -- NULL for rows carried over from before the runtime kept it: such a version cannot be checked.
  event_id     uuid,
  PRIMARY KEY (aggregate_id, projection)
) WITH (fillfactor = 70);
-- Updated all the time, on no indexed column: the room keeps the updates heap-only.

-- Accounts already projected: their version, the id of their last event unknown.
INSERT INTO projected_versions (projection, aggregate_id, version)
  SELECT 'accounts', account_id, version FROM accounts;

-- Why a key is parked, as a word (gap, conflict, overlap, refused, undecodable, invalid), and which
-- application (consumer group) parked it.
ALTER TABLE parked_keys
  ADD COLUMN kind text GENERATED ALWAYS AS (split_part(reason, ':', 1)) STORED,
  ADD COLUMN parked_by text;
