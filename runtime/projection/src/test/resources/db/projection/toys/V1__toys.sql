-- The toy projection's one table: each toy's value, moved forward only.
CREATE TABLE toys (
  toy_id  uuid   PRIMARY KEY,
  value   bigint NOT NULL,
  version bigint NOT NULL CHECK (version >= 1)
);
