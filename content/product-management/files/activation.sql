-- Activation: share of new workspaces with 3+ members within 24 hours of creation.
-- The creator has a row in memberships, so a workspace starts with one member.
WITH new_workspaces AS (
    SELECT id,
           created_at,
           date_trunc('week', created_at) AS cohort_week
    FROM workspaces
    WHERE created_at >= date_trunc('week', now()) - interval '8 weeks'
      AND created_at <  now() - interval '24 hours'  -- every workspace has had its full day
      AND NOT is_internal                            -- leave out staff and test accounts
),
first_day_members AS (
    SELECT w.id,
           w.cohort_week,
           count(DISTINCT m.user_id) AS members
    FROM new_workspaces AS w
    LEFT JOIN memberships AS m
           ON m.workspace_id = w.id
          AND m.joined_at < w.created_at + interval '24 hours'
    GROUP BY w.id, w.cohort_week
)
SELECT cohort_week::date                           AS week,
       count(*)                                    AS new_workspaces,
       count(*) FILTER (WHERE members >= 3)        AS activated,
       round(avg((members >= 3)::int), 2)          AS activation_rate
FROM first_day_members
GROUP BY cohort_week
ORDER BY cohort_week;
