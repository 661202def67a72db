-- Segment history: every signed-up user's segments at each week end (Sunday) and month end up to the as-of date,
-- so the size stays bounded (users x (weeks + months)). Feeds fct_segment_summary and fct_segment_transitions.
-- Its contract (columns and types) is also the shape of dim_user_segments, which adds no columns of its own.
with

snapshots as {{ not_materialized() }} (

    select * from {{ ref('int_users_segment_snapshots') }}

),

final as (

    select
        cast(user_key as {{ dbt.type_string() }}) as user_key,
        cast(as_of_date as date) as as_of_date,
        cast(is_week_end as boolean) as is_week_end,
        cast(is_month_end as boolean) as is_month_end,
        cast(signup_date as date) as signup_date,
        cast(tenure_days as integer) as tenure_days,
        cast(tenure_stage as {{ dbt.type_string() }}) as tenure_stage,
        cast(last_active_date as date) as last_active_date,
        cast(days_since_active as integer) as days_since_active,
        cast(activity_state as {{ dbt.type_string() }}) as activity_state,
        cast(window_active_days as integer) as window_active_days,
        cast(window_interactions as bigint) as window_interactions,
        cast(window_creations as bigint) as window_creations,
        cast(engagement_tier as {{ dbt.type_string() }}) as engagement_tier,
        cast(value_tier as {{ dbt.type_string() }}) as value_tier,
        cast(trailing_365d_spend as double) as trailing_365d_spend,
        cast(rfm_recency_days as integer) as rfm_recency_days,
        cast(rfm_frequency as integer) as rfm_frequency,
        cast(rfm_monetary as double) as rfm_monetary,
        cast(r_score as integer) as r_score,
        cast(f_score as integer) as f_score,
        cast(m_score as integer) as m_score,
        cast(rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(is_at_risk as boolean) as is_at_risk,
        cast(at_risk_reason as {{ dbt.type_string() }}) as at_risk_reason

    from snapshots
    where is_week_end or is_month_end

)

select * from final
