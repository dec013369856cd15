#!/bin/sh
# Run once by the postgres image when its volume is new, as the image's superuser (`postgres`).
# Redress never gets a superuser: the schema owner `redress_owner` may create roles (for
# `redress_service` and `redress_platform`) but bypasses nothing, and the service role owns
# nothing and has no BYPASSRLS; migrations grant it what it may touch. The passwords come from
# REDRESS_OWNER_PASSWORD and REDRESS_SERVICE_PASSWORD (docker-compose.yml requires both).
set -eu
: "${REDRESS_OWNER_PASSWORD:?set REDRESS_OWNER_PASSWORD}"
: "${REDRESS_SERVICE_PASSWORD:?set REDRESS_SERVICE_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$REDRESS_OWNER_PASSWORD" -v service_password="$REDRESS_SERVICE_PASSWORD" <<'SQL'
CREATE ROLE redress_owner LOGIN NOSUPERUSER CREATEROLE NOCREATEDB NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE redress_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'service_password';
ALTER DATABASE redress OWNER TO redress_owner;
ALTER SCHEMA public OWNER TO redress_owner;
SQL
