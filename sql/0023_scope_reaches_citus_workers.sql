-- The scope reaches Citus workers. The service sets each transaction's scope with SET LOCAL
-- (ScopedDatabase.withScope) rather than set_config: on Citus, row-level security policies run
-- on the worker that holds a shard, and only SET commands travel there, and only while
-- citus.propagate_set_commands is 'local'. That setting is given here to the two roles that run
-- scoped transactions, where Citus is installed; on plain PostgreSQL this migration does nothing.
-- SET LOCAL stays transaction-scoped on the workers too, so transaction pooling stays safe.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
        BEGIN
            ALTER ROLE redress_service SET citus.propagate_set_commands = 'local';
            ALTER ROLE redress_scheduler SET citus.propagate_set_commands = 'local';
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'the migration role may not change role settings; as a superuser run: '
                'ALTER ROLE redress_service SET citus.propagate_set_commands = ''local''; '
                'ALTER ROLE redress_scheduler SET citus.propagate_set_commands = ''local''; '
                'and the same for every login role that is a member of them';
        END;
    END IF;
END
$$;
