-- Run once by the postgres image when its volume is new: the login roles the API and the
-- scheduler use. They own nothing and have no BYPASSRLS; migrations grant them what they may touch.
CREATE ROLE redress_service LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE redress_scheduler LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS;
