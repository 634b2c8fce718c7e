#!/bin/sh
# Run by the postgres image on its first start (docker-entrypoint-initdb.d): creates the service
# roles of roles.sql with the passwords docker-compose.yml passes in.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v database="$POSTGRES_DB" \
  -v writer_role=tally_writer -v writer_password="${TALLY_WRITER_PASSWORD:?}" \
  -v reader_role=tally_reader -v reader_password="${TALLY_READER_PASSWORD:?}" \
  -f /etc/tally/roles.sql
