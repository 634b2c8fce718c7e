-- The database roles of the production-shaped deployment (ADR 26). PostgreSQL's first start runs
-- it once (docs/compose/roles.sh), as the server's superuser, in the read model's database, with
-- the psql variables database, writer_role, writer_password, reader_role, reader_password.
--
-- The writer (the projector; the tally CLI's rebuild and as-of) may create schemas in this database
-- and owns what it creates, the read model: it is no superuser, creates no database and no role,
-- and owns nothing else. The reader (the query API) may connect, and is granted SELECT on the
-- serving views of tally_read by the projector: it reads nothing else.
CREATE ROLE :"writer_role" LOGIN PASSWORD :'writer_password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE ROLE :"reader_role" LOGIN PASSWORD :'reader_password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, CREATE ON DATABASE :"database" TO :"writer_role";
GRANT CONNECT ON DATABASE :"database" TO :"reader_role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
