#!/bin/sh
# Run once by the postgres image when its volume is new, as the image's superuser (`postgres`).
# Redress never gets a superuser: the schema owner `redress_owner` may create roles (for
# `redress_platform`) but bypasses nothing; the service role (the API) and the scheduler role own
# nothing and have no BYPASSRLS; migrations grant them what they may touch. The passwords come
# from REDRESS_OWNER_PASSWORD, REDRESS_SERVICE_PASSWORD and REDRESS_SCHEDULER_PASSWORD
# (docker-compose.yml requires all three).
set -eu
: "${REDRESS_OWNER_PASSWORD:?set REDRESS_OWNER_PASSWORD}"
: "${REDRESS_SERVICE_PASSWORD:?set REDRESS_SERVICE_PASSWORD}"
: "${REDRESS_SCHEDULER_PASSWORD:?set REDRESS_SCHEDULER_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$REDRESS_OWNER_PASSWORD" -v service_password="$REDRESS_SERVICE_PASSWORD" \
     -v scheduler_password="$REDRESS_SCHEDULER_PASSWORD" <<'SQL'
CREATE ROLE redress_owner LOGIN NOSUPERUSER CREATEROLE NOCREATEDB NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE redress_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'service_password';
CREATE ROLE redress_scheduler LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'scheduler_password';
ALTER DATABASE redress OWNER TO redress_owner;
ALTER SCHEMA public OWNER TO redress_owner;
SQL
