-- depends: 0011_wait_counts_as_break
-- Every write to a plan's row (each revision, status change, progress) is announced on the channel
-- hakobu_plan_changed as "<organization>/<plan id>", delivered at COMMIT. The plans servers listen, so
-- that their GetPlan replies are reused without asking the database for the plan's stamp on every call
-- (server/adapters/postgres/plan_changes.py).
CREATE OR REPLACE FUNCTION hakobu_plan_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('hakobu_plan_changed', OLD.organization_id || '/' || OLD.id);
    ELSE
        PERFORM pg_notify('hakobu_plan_changed', NEW.organization_id || '/' || NEW.id);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS plans_changed ON plans;
CREATE TRIGGER plans_changed AFTER INSERT OR UPDATE OR DELETE ON plans
    FOR EACH ROW EXECUTE FUNCTION hakobu_plan_changed();
