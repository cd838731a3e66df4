-- A registry's records are one set whatever plan they were set up under: a station
-- established under the 14th plan is the same station under the 15th. Records are
-- looked up by registry (and the plan they are kept under) rather than by plan.

CREATE INDEX records_by_registry ON records (registry, plan_id);
