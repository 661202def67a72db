-- The classic retention triangle: daily signup cohorts x days since signup (pivot period_number in the BI tool).
-- columns: cohort_start, cohort_size, period_number, retention_rate
select
    cohort_start,
    cohort_size,
    period_number,
    retention_rate
from marts.fct_cohort_retention
where retention_definition = 'activity'
    and grain = 'day'
    and breakdown_name = 'all'
    and retention_type = 'n_period'
    and period_number <= 30
order by cohort_start, period_number
