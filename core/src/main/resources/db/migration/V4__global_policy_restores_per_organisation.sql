-- Gatehouse schema, version 4: a reset of every organisation's global policies is restored organisation by
-- organisation, each at most once.
--
-- restore-global-policies used to pick "the last unrestored reset covering the organisation"; a reset of all
-- organisations stayed unrestored until every policy of it was global again, so restoring one organisation a
-- second time — after the operator had deliberately turned one of its policies off again — turned that policy back
-- on. restored_orgs records which organisations' parts of a reset were restored.

ALTER TABLE global_policy_resets ADD COLUMN restored_orgs uuid[] NOT NULL DEFAULT '{}';

-- Existing resets: a restored one is restored for its organisation, or for every organisation it touched; a reset of
-- all organisations not yet marked restored counts as restored for each organisation one of whose reset policies is
-- global again (a restore ran for it: never restore it twice).
UPDATE global_policy_resets r SET restored_orgs = ARRAY[r.org_id] WHERE r.restored_at IS NOT NULL AND r.org_id IS NOT NULL;
UPDATE global_policy_resets r SET restored_orgs = COALESCE((SELECT array_agg(DISTINCT p.org_id)
        FROM network_access_policies p WHERE p.id = ANY (r.policy_ids)
          AND (r.restored_at IS NOT NULL OR p.is_global)), '{}')
    WHERE r.org_id IS NULL;
