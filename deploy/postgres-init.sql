-- Run once by the postgres image when its volume is new: the login role the API uses.
-- It owns nothing and has no BYPASSRLS; migrations grant it what it may touch.
CREATE ROLE redress_service LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS;
