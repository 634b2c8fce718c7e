-- The read model's generations: each is one schema built by one Kafka Streams application (its own
-- consumer group). Readers never name a generation: they read the views of schema tally_read,
-- which point at the LIVE generation's tables and are repointed in one transaction by a switch.
CREATE TABLE generations (
  generation     integer     PRIMARY KEY CHECK (generation >= 1),
  schema_name    text        NOT NULL UNIQUE,
  application_id text        NOT NULL UNIQUE,
  state          text        NOT NULL CHECK (state IN ('BUILDING', 'LIVE', 'RETIRING', 'RETIRED', 'FAILED')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  switched_at    timestamptz,
  note           text
);

-- Exactly what readers see: never two.
CREATE UNIQUE INDEX generations_one_live ON generations ((true)) WHERE state = 'LIVE';

-- The reader role may read the serving views (and see which generation is live), nothing else.
GRANT USAGE ON SCHEMA tally_read TO ${reader_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA tally_read GRANT SELECT ON TABLES TO ${reader_role};
GRANT USAGE ON SCHEMA tally_control TO ${reader_role};
GRANT SELECT ON generations TO ${reader_role};
