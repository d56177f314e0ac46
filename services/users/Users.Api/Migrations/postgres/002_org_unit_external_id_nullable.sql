-- A unit may have no external id: orgunits creates root units without one, and a PATCH to null or an empty import
-- cell clears it (orgunit.changed.v1 then carries "externalId": null). The projection holds what orgunits says, so a
-- user of such a unit has no department instead of showing (and being found by) the external id the unit lost.
ALTER TABLE org_units ALTER COLUMN external_id DROP NOT NULL;
