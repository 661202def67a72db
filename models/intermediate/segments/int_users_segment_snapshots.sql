-- Every signed-up user's segments as of each snapshot date (week ends, month ends and the as-of date):
-- tenure stage, activity state, engagement tier, value tier, RFM scores and segment, at-risk flag
-- (docs/metric_definitions.md#activity-states-and-recall, docs/metric_definitions.md#segments). All thresholds are vars; the RFM segment names come from seed rfm_segments.
{%- set silent_after = var('activity_silent_after_days') %}
{%- set churned_after = var('activity_churned_after_days') %}
{%- set engagement_window = var('engagement_window_days') %}
{%- set spend_window = var('segment_spend_window_days') %}
{#- The facts of int_users_segment_snapshots' stacked_facts, by source: each source's rows carry its own facts and
    null for every other. -#}
{%- set fact_sources = [
    ('user_snapshots', ['signup_date']),
    ('last_activity', ['last_active_date', 'previous_activity_date']),
    ('engagement', ['window_active_days', 'window_interactions', 'window_creations']),
    ('creator_ranks', ['creator_rank', 'creators']),
    ('spend', ['last_order_date', 'window_orders', 'window_spend']),
    ('rfm_scores', ['r_score', 'f_score', 'm_score']),
    ('at_risk_days', ['at_risk_reason']),
] %}
with

resolved_users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

user_spells as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_spells') }}

),

user_orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

calendar as {{ not_materialized() }} (

    select * from {{ ref('int_segment_calendar_days') }}

),

user_at_risk_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_at_risk_days') }}

),

rfm_segments as {{ not_materialized() }} (

    select * from {{ ref('rfm_segments') }}

),

-- Users are numbered once (for 100M events): the snapshot x user joins below key on a bigint user_number instead of the
-- 64-character user_key, joined back in the final select.
user_numbers as (

    {{ numbered_users(['resolved_users', 'user_spells', 'user_orders', 'user_at_risk_days']) }}

),

users as (

    select
        user_numbers.user_number,
        resolved_users.signup_date

    from resolved_users
    inner join user_numbers
        on resolved_users.user_key = user_numbers.user_key

),

spells as (

    select
        user_numbers.user_number,
        user_spells.activity_date,
        user_spells.previous_activity_date,
        user_spells.next_activity_date,
        user_spells.interactions,
        user_spells.creations

    from user_spells
    inner join user_numbers
        on user_spells.user_key = user_numbers.user_key

),

orders as (

    select
        user_numbers.user_number,
        user_orders.order_date,
        user_orders.amount,
        user_orders.is_paid

    from user_orders
    inner join user_numbers
        on user_orders.user_key = user_numbers.user_key

),

at_risk_days as (

    select
        user_numbers.user_number,
        user_at_risk_days.at_risk_date,
        user_at_risk_days.at_risk_reason

    from user_at_risk_days
    inner join user_numbers
        on user_at_risk_days.user_key = user_numbers.user_key

),

snapshot_dates as (

    select
        date_day as snapshot_date,
        is_week_end,
        is_month_end,
        is_as_of_date

    from calendar
    where is_snapshot_date

),

user_snapshots as (

    select
        snapshot_dates.*,
        users.user_number,
        users.signup_date

    from snapshot_dates
    inner join users
        on users.signup_date <= snapshot_dates.snapshot_date

),

-- The activity day in force on each snapshot date: the last one on or before it.
last_activity as (

    select
        snapshot_dates.snapshot_date,
        spells.user_number,
        spells.activity_date as last_active_date,
        spells.previous_activity_date

    from snapshot_dates
    inner join spells
        on spells.activity_date <= snapshot_dates.snapshot_date
            and (spells.next_activity_date is null or spells.next_activity_date > snapshot_dates.snapshot_date)

),

engagement as (

    select
        snapshot_dates.snapshot_date,
        spells.user_number,
        count(*) as window_active_days,
        sum(spells.interactions) as window_interactions,
        sum(spells.creations) as window_creations

    from snapshot_dates
    inner join spells
        on spells.activity_date <= snapshot_dates.snapshot_date
            and spells.activity_date
            > cast({{ dbt.dateadd('day', -engagement_window, 'snapshot_dates.snapshot_date') }} as date)
    group by 1, 2

),

creator_ranks as (

    select
        snapshot_date,
        user_number,
        row_number() over (
            partition by snapshot_date order by window_creations desc, window_interactions desc, user_number
        ) as creator_rank,
        count(*) over (partition by snapshot_date) as creators

    from engagement
    where window_creations >= {{ var('engagement_koc_min_creations') }}

),

paid_orders as (

    select
        user_number,
        order_date,
        amount

    from orders
    where is_paid

),

spend as (

    select
        snapshot_dates.snapshot_date,
        paid_orders.user_number,
        max(paid_orders.order_date) as last_order_date,
        sum(
            case
                when paid_orders.order_date
                    > cast({{ dbt.dateadd('day', -spend_window, 'snapshot_dates.snapshot_date') }} as date)
                    then 1
                else 0
            end
        ) as window_orders,
        sum(
            case
                when paid_orders.order_date
                    > cast({{ dbt.dateadd('day', -spend_window, 'snapshot_dates.snapshot_date') }} as date)
                    then paid_orders.amount
                else 0
            end
        ) as window_spend

    from snapshot_dates
    inner join paid_orders
        on paid_orders.order_date <= snapshot_dates.snapshot_date
    group by 1, 2

),

-- Quintile scores among the snapshot's buyers; ties are broken by user_number so the scores are deterministic.
rfm_scores as (

    select
        snapshot_date,
        user_number,
        ntile(5) over (
            partition by snapshot_date
            order by {{ dbt.datediff('last_order_date', 'snapshot_date', 'day') }} desc, user_number
        ) as r_score,
        ntile(5) over (partition by snapshot_date order by window_orders, user_number) as f_score,
        ntile(5) over (partition by snapshot_date order by window_spend, user_number) as m_score

    from spend
    where window_orders > 0

),

-- Every fact about a snapshot and user, stacked and grouped once (for 100M events): one aggregate, which spills to disk,
-- instead of six hash joins on the snapshot x user rows whose build sides must all fit in memory at once (at 1M
-- users they did not fit in 8 GB). Each source has at most one row per snapshot and user, so max() picks its value;
-- the group keeps the signed-up users only (is_member).
stacked_facts as (

    {%- for source, facts in fact_sources %}
        select
            {{ 'at_risk_date as snapshot_date' if source == 'at_risk_days' else 'snapshot_date' }},
            user_number,
            {{ 1 if source == 'user_snapshots' else 0 }} as is_member,
            {%- for other, other_facts in fact_sources %}{% for fact in other_facts %}
                {{ fact if other == source else 'null as ' ~ fact }},
            {%- endfor %}{% endfor %}
            {{ 1 if source == 'at_risk_days' else 0 }} as is_at_risk
        from {{ source }}
        {%- if source == 'at_risk_days' %}
            where at_risk_date in (select snapshot_dates.snapshot_date from snapshot_dates)
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

snapshot_facts as (

    select
        snapshot_date,
        user_number,
        {%- for _, facts in fact_sources %}{% for fact in facts %}
            max({{ fact }}) as {{ fact }},
        {%- endfor %}{% endfor %}
        max(is_at_risk) = 1 as is_at_risk

    from stacked_facts
    group by 1, 2
    having max(is_member) = 1

),

joined as (

    select
        snapshot_dates.snapshot_date,
        snapshot_dates.is_week_end,
        snapshot_dates.is_month_end,
        snapshot_dates.is_as_of_date,
        snapshot_facts.user_number,
        snapshot_facts.signup_date,
        {{ dbt.datediff('snapshot_facts.signup_date', 'snapshot_facts.snapshot_date', 'day') }} as tenure_days,
        snapshot_facts.last_active_date,
        {{ dbt.datediff(
            'coalesce(snapshot_facts.last_active_date, snapshot_facts.signup_date)',
            'snapshot_facts.snapshot_date',
            'day'
        ) }} as days_since_active,
        snapshot_facts.last_active_date = snapshot_facts.snapshot_date
        and snapshot_facts.previous_activity_date is not null
        and {{ dbt.datediff('snapshot_facts.previous_activity_date', 'snapshot_facts.snapshot_date', 'day') }}
        > {{ silent_after }} as is_resurrected,
        coalesce(snapshot_facts.window_active_days, 0) as window_active_days,
        coalesce(snapshot_facts.window_interactions, 0) as window_interactions,
        coalesce(snapshot_facts.window_creations, 0) as window_creations,
        snapshot_facts.creator_rank,
        snapshot_facts.creators,
        snapshot_facts.last_order_date,
        coalesce(snapshot_facts.window_orders, 0) as rfm_frequency,
        coalesce(snapshot_facts.window_spend, 0) as rfm_monetary,
        snapshot_facts.r_score,
        snapshot_facts.f_score,
        snapshot_facts.m_score,
        snapshot_facts.is_at_risk,
        snapshot_facts.at_risk_reason

    from snapshot_facts
    inner join snapshot_dates
        on snapshot_facts.snapshot_date = snapshot_dates.snapshot_date

),

final as (

    select
        user_numbers.user_key,
        joined.snapshot_date as as_of_date,
        joined.is_week_end,
        joined.is_month_end,
        joined.is_as_of_date,
        joined.signup_date,
        joined.tenure_days,
        case
            when joined.tenure_days <= {{ var('tenure_new_max_days') }} then 'new'
            when joined.tenure_days <= {{ var('tenure_growth_max_days') }} then 'growth'
            else 'mature'
        end as tenure_stage,
        joined.last_active_date,
        joined.days_since_active,
        case
            when joined.is_resurrected then 'resurrected'
            when joined.days_since_active < {{ silent_after }} then 'active'
            when joined.days_since_active < {{ churned_after }} then 'silent'
            else 'churned'
        end as activity_state,
        joined.window_active_days,
        joined.window_interactions,
        joined.window_creations,
        case
            when joined.creator_rank is not null
                and joined.creator_rank <= ceiling(joined.creators * {{ var('engagement_kol_creator_share') }})
                then 'kol'
            when joined.creator_rank is not null then 'koc'
            when joined.window_interactions >= {{ var('engagement_active_min_interactions') }} then 'active'
            else 'base'
        end as engagement_tier,
        joined.rfm_monetary as trailing_365d_spend,
        case
            when joined.rfm_monetary > {{ var('value_high_spend_threshold') }} then 'high'
            when joined.rfm_monetary > 0 then 'standard'
            else 'no_spend'
        end as value_tier,
        {{ dbt.datediff('joined.last_order_date', 'joined.snapshot_date', 'day') }} as rfm_recency_days,
        joined.rfm_frequency,
        joined.rfm_monetary,
        joined.r_score,
        joined.f_score,
        joined.m_score,
        coalesce(rfm_segments.rfm_segment, 'no_purchase') as rfm_segment,
        joined.is_at_risk,
        joined.at_risk_reason

    from joined
    inner join user_numbers
        on joined.user_number = user_numbers.user_number
    left join rfm_segments
        on joined.r_score = rfm_segments.r_score
            and floor((joined.f_score + joined.m_score + 1) / 2.0) = rfm_segments.fm_score

)

select * from final
