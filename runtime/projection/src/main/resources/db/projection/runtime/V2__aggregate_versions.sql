-- Which aggregate type each projection of this schema reads: recorded by the runtime whenever it
-- migrates the schema, from the registered projections.
CREATE TABLE projection_sources (
  projection     text PRIMARY KEY,
  aggregate_type text NOT NULL
);

-- What a consistency token is checked against: the version each aggregate, of each type, has reached
-- in the read model, kept by the runtime for every projection (projected_versions). An aggregate
-- counts only once every projection of its type holds it, at the lowest version they hold. Replaces
-- a view that each aggregate type had to extend by hand.
DROP VIEW IF EXISTS aggregate_versions;
CREATE VIEW aggregate_versions AS
  SELECT s.aggregate_type, v.aggregate_id, min(v.version) AS version
  FROM projected_versions v JOIN projection_sources s USING (projection)
  GROUP BY s.aggregate_type, v.aggregate_id
  HAVING count(*) = (SELECT count(*) FROM projection_sources t WHERE t.aggregate_type = s.aggregate_type);
