-- Every metric of the catalog (docs/metric_definitions.md#metric-catalog) in one long table: one row per metric x grain x period x breakdown, with numerator,
-- denominator, value and, for proportions, a 95% Wilson interval. Names and definitions: metric_definitions.
-- Rates of cohorts or periods not yet observable are NULL with is_mature = false; counts of a period not yet
-- complete are kept (they cover part of it) with is_mature = false.
{%- set horizons = var('ltv_horizons_days') %}
{%- set cac_horizon = var('ltv_to_cac_horizon_days') %}
{%- if cac_horizon not in horizons %}
    {{ exceptions.raise_compiler_error("var ltv_to_cac_horizon_days must be one of ltv_horizons_days") }}
{%- endif %}
{%- set retention_days = [1, 7, 30, 90] %}
with

periods as {{ not_materialized() }} (

    select * from {{ ref('int_metric_periods') }}

),

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

engagement as {{ not_materialized() }} (

    select * from {{ ref('fct_engagement_daily') }}

),

retention as {{ not_materialized() }} (

    select * from {{ ref('fct_cohort_retention') }}

),

monetization as {{ not_materialized() }} (

    select * from {{ ref('fct_monetization') }}

),

acquisition as {{ not_materialized() }} (

    select * from {{ ref('fct_acquisition') }}

),

recall as {{ not_materialized() }} (

    select * from {{ ref('fct_recall') }}

),

renewals as {{ not_materialized() }} (

    select * from {{ ref('fct_subscription_renewals') }}

),

nps as {{ not_materialized() }} (

    select * from {{ ref('fct_nps') }}

),

engagement_metrics as (

    {% set engagement_metrics = [
        ('dau', 'dau', 'null', 'dau', false, 'true'),
        ('wau', 'wau', 'null', 'wau', false, 'true'),
        ('mau', 'mau', 'null', 'mau', false, 'true'),
        ('stickiness', 'dau', 'mau', 'stickiness', true, 'true'),
        ('interactions_per_active_user_week', 'weekly_interactions', 'wau', 'interactions_per_weekly_active_user',
            false, 'true'),
        ('attached_user_rate', 'attached_users', 'wau', 'attached_user_rate', true, 'true'),
        ('core_feature_penetration_rate', 'core_feature_users', 'new_users', 'core_feature_penetration_rate', true,
            'core_feature_users is not null'),
    ] %}
    {% for name, numerator, denominator, value, is_rate, mature in engagement_metrics %}
        select
            '{{ name }}' as metric_name,
            'day' as grain,
            activity_date as period_start,
            {{ metric_values(numerator, denominator, value, is_rate) }},
            {{ mature }} as is_mature

        from engagement
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

active_days as (

    select
        periods.grain,
        periods.period_start,
        periods.is_complete,
        count(*) as active_days,
        count(distinct activity_days.user_key) as active_users

    from periods
    inner join activity_days
        on activity_days.activity_date between periods.period_start and periods.observed_through
    where periods.grain <> 'day'
    group by 1, 2, 3

),

active_day_metrics as (

    select
        'active_days_per_user' as metric_name,
        grain,
        period_start,
        'all' as breakdown_name,
        'all' as breakdown_value,
        active_days as numerator,
        active_users as denominator,
        {{ safe_ratio('active_days', 'active_users') }} as value,
        false as is_rate,
        is_complete as is_mature

    from active_days

),

retention_cells as (

    select
        cohort_start,
        period_number,
        cohort_size,
        retained_users,
        is_mature

    from retention
    where retention_definition = 'activity'
        and grain = 'day'
        and breakdown_name = 'all'
        and retention_type = 'n_period'
        and period_number in ({{ retention_days | join(', ') }})

),

retention_metrics as (

    {% for grain in grains_for('metrics') %}
        select
            'd' || cast(period_number as {{ dbt.type_string() }}) || '_retention_rate' as metric_name,
            '{{ grain }}' as grain,
            {{ period_start(grain, 'cohort_start') }} as period_start,
            'all' as breakdown_name,
            'all' as breakdown_value,
            sum(case when is_mature then retained_users end) as numerator,
            sum(case when is_mature then cohort_size end) as denominator,
        {{ safe_ratio('sum(case when is_mature then retained_users end)',
                      'sum(case when is_mature then cohort_size end)') }} as value,
            true as is_rate,
            min(case when is_mature then 1 else 0 end) = 1 as is_mature

        from retention_cells
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

monetization_metrics as (

    {% set monetization_metrics = [
        ('gmv', 'gmv', 'null', 'gmv', false),
        ('orders', 'orders', 'null', 'orders', false),
        ('buyers', 'buyers', 'null', 'buyers', false),
        ('aov', 'gmv', 'orders', 'aov', false),
        ('arpu', 'gmv', 'active_users', 'arpu', false),
        ('arppu', 'gmv', 'buyers', 'arppu', false),
        ('paying_rate', 'buyers', 'active_users', 'paying_rate', true),
        ('repurchase_rate', 'repeat_buyers', 'buyers', 'repurchase_rate', true),
        ('refunds', 'refunds', 'null', 'refunds', false),
    ] %}
    {% for name, numerator, denominator, value, is_rate in monetization_metrics %}
        select
            '{{ name }}' as metric_name,
            grain,
            period_start,
            {{ metric_values(numerator, denominator, value, is_rate) }},
            is_complete_period as is_mature

        from monetization
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

acquisition_all as (

    select
        grain,
        period_start,
        'all' as acquisition_channel,
        sum(new_users) as new_users,
        -- money is summed as decimal: a sum of doubles is not the same twice (parallel aggregation order)
        cast(sum(cast(spend as decimal(38, 6))) as double) as spend,
        -- blended CAC: all spend over all new users, organic included
        {{ safe_ratio('sum(cast(spend as decimal(38, 6)))', 'sum(new_users)') }} as cac,
        {% for horizon in horizons %}
        {{ safe_ratio('sum(cast(ltv_' ~ horizon ~ 'd * new_users as decimal(38, 6)))',
                      'sum(case when ltv_' ~ horizon ~ 'd is not null then new_users end)') }} as ltv_{{ horizon }}d,
        {% endfor %}
        cast(null as integer) as payback_days,
        min(case when is_complete_period then 1 else 0 end) = 1 as is_complete_period

    from acquisition
    group by 1, 2

),

acquisition_rows as (

    select
        grain,
        period_start,
        acquisition_channel,
        new_users,
        spend,
        cac,
        {% for horizon in horizons %}
            ltv_{{ horizon }}d,
        {% endfor %}
        payback_days,
        is_complete_period

    from acquisition

    union all

    select * from acquisition_all

),

acquisition_metrics as (

    {% set acquisition_metrics = [
        ('new_users', 'new_users', 'null', 'new_users', 'true'),
        ('marketing_spend', 'spend', 'null', 'spend', 'true'),
        ('cac', 'spend', 'new_users', 'cac', 'true'),
        ('ltv_to_cac', 'ltv_' ~ cac_horizon ~ 'd', 'cac', safe_ratio('ltv_' ~ cac_horizon ~ 'd', 'cac'),
            'ltv_' ~ cac_horizon ~ 'd is not null'),
        ('payback_days', 'payback_days', 'null', 'payback_days', 'true'),
    ] %}
    {% for horizon in horizons %}
        {% do acquisition_metrics.append(('ltv_' ~ horizon ~ 'd', 'ltv_' ~ horizon ~ 'd * new_users', 'new_users',
                                          'ltv_' ~ horizon ~ 'd', 'ltv_' ~ horizon ~ 'd is not null')) %}
    {% endfor %}
    {% for name, numerator, denominator, value, mature in acquisition_metrics %}
        select
            '{{ name }}' as metric_name,
            grain,
            period_start,
            case when acquisition_channel = 'all' then 'all' else 'acquisition_channel' end as breakdown_name,
            acquisition_channel as breakdown_value,
            {{ numerator }} as numerator,
            {{ denominator }} as denominator,
            {{ value }} as value,
            false as is_rate,
            is_complete_period and {{ mature }} as is_mature

        from acquisition_rows
        {% if name == 'payback_days' %}where acquisition_channel <> 'all'{% endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

recall_metrics as (

    -- One definition of recall for the whole warehouse: the segment model's (state as of the day before the
    -- period starts, the same daily states as dim_user_segments.activity_state).
    select
        'recall_rate' as metric_name,
        recall.grain,
        recall.period_start,
        'all' as breakdown_name,
        'all' as breakdown_value,
        case when recall.is_complete then recall.recalled_users end as numerator,
        recall.lapsed_users_at_start as denominator,
        case when recall.is_complete then recall.recall_rate end as value,
        true as is_rate,
        recall.is_complete as is_mature

    from recall
    where recall.lapsed_users_at_start > 0

),

renewal_metrics as (

    select
        'renewal_rate' as metric_name,
        grain,
        period_start,
        'plan' as breakdown_name,
        plan as breakdown_value,
        renewed_subscriptions as numerator,
        due_subscriptions as denominator,
        renewal_rate as value,
        true as is_rate,
        is_mature

    from renewals

    union all

    select
        'renewal_rate' as metric_name,
        grain,
        period_start,
        'all' as breakdown_name,
        'all' as breakdown_value,
        sum(renewed_subscriptions) as numerator,
        sum(due_subscriptions) as denominator,
        case when min(case when is_mature then 1 else 0 end) = 1
                then {{ safe_ratio('sum(renewed_subscriptions)', 'sum(due_subscriptions)') }}
        end as value,
        true as is_rate,
        min(case when is_mature then 1 else 0 end) = 1 as is_mature

    from renewals
    group by 1, 2, 3, 4, 5

),

nps_metrics as (

    select
        'nps' as metric_name,
        grain,
        period_start,
        'all' as breakdown_name,
        'all' as breakdown_value,
        promoters - detractors as numerator,
        responses as denominator,
        nps as value,
        false as is_rate,
        is_complete_period as is_mature

    from nps

),

unioned as (

    select * from engagement_metrics
    union all
    select * from active_day_metrics
    union all
    select * from retention_metrics
    union all
    select * from monetization_metrics
    union all
    select * from acquisition_metrics
    union all
    select * from recall_metrics
    union all
    select * from renewal_metrics
    union all
    select * from nps_metrics

),

final as (

    select
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(grain as {{ dbt.type_string() }}) as grain,
        cast(period_start as date) as period_start,
        cast(breakdown_name as {{ dbt.type_string() }}) as breakdown_name,
        cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(value as double) as value,
        cast(case when is_rate and value is not null then {{ wilson_ci_low('numerator', 'denominator') }} end as double)
            as ci_low,
        cast(case when is_rate and value is not null then {{ wilson_ci_high('numerator', 'denominator') }} end as double)
            as ci_high,
        cast(is_mature as boolean) as is_mature

    from unioned

)

select * from final
