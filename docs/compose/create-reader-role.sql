-- The query API's role: it can log in and, once the projector's migrations have granted it, read.
CREATE ROLE tally_reader LOGIN PASSWORD 'tally_reader';
