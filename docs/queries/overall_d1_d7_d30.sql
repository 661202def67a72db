-- D1, D7 and D30 retention over all mature daily cohorts, weighted (sum of retained / sum of cohort sizes).
-- columns: period_number, cohorts, users, retained_users, retention_rate
select
    period_number,
    count(*) as cohorts,
    sum(cohort_size) as users,
    sum(retained_users) as retained_users,
    sum(retained_users) * 1.0 / sum(cohort_size) as retention_rate
from marts.fct_cohort_retention
where retention_definition = 'activity'
    and grain = 'day'
    and breakdown_name = 'all'
    and retention_type = 'n_period'
    and is_mature
    and period_number in (1, 7, 30)
group by 1
order by 1
