-- Records an operator chose to pass over (tally dead-letters skip), with why: every generation's
-- projector, and the verification of every rebuild, pass over them too.
CREATE TABLE skipped_records (
  projection    text        NOT NULL,
  topic         text        NOT NULL,
  partition     integer     NOT NULL CHECK (partition >= 0),
  record_offset bigint      NOT NULL CHECK (record_offset >= 0),
  record_key    text,
  reason        text        NOT NULL CHECK (reason <> ''),
  skipped_at    timestamptz NOT NULL DEFAULT now(),
  skipped_by    text,
  PRIMARY KEY (projection, topic, partition, record_offset)
);

-- What operators did about parked keys (tally dead-letters redrive / skip): the audit trail.
CREATE TABLE dead_letter_actions (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  action      text        NOT NULL CHECK (action IN ('redrive', 'skip')),
  projection  text        NOT NULL,
  topic       text        NOT NULL,
  generation  integer     NOT NULL,
  record_key  text        NOT NULL,
  partition   integer     NOT NULL,
  -- The parked record, and the checkpoint up to which the key's records were applied.
  from_offset bigint      NOT NULL,
  to_offset   bigint      NOT NULL,
  applied     integer     NOT NULL,
  -- Why the key was parked.
  reason      text        NOT NULL,
  -- Why the operator acted (a skip's reason).
  note        text,
  actor       text
);
