-- KPI scorecard (docs/metric_definitions.md#kpi-targets): every target of seeds/kpi_targets.csv at stage var kpi_target_stage against
-- the metric's actual value per period, at the metric's scorecard grain (metric_definitions.scorecard_grain).
-- Segment `all` reads breakdown `all`; another segment reads the breakdown value of that name. A target with no
-- matching metric rows gets one row with status `no_data`.
with

targets as {{ not_materialized() }} (

    select * from {{ ref('kpi_targets') }}

),

definitions as {{ not_materialized() }} (

    select * from {{ ref('metric_definitions') }}

),

metrics as {{ not_materialized() }} (

    select * from {{ ref('fct_metrics') }}

),

staged_targets as (

    select
        targets.metric_name,
        targets.segment,
        targets.target_stage,
        targets.target_value,
        targets.direction,
        definitions.scorecard_grain

    from targets
    left join definitions
        on targets.metric_name = definitions.metric_name
    where targets.target_stage = {{ var('kpi_target_stage') }}

),

scored as (

    select
        staged_targets.metric_name,
        staged_targets.segment,
        staged_targets.target_stage,
        staged_targets.scorecard_grain as grain,
        metrics.period_start,
        metrics.value as actual,
        staged_targets.target_value,
        staged_targets.direction,
        coalesce(metrics.is_mature, false) as is_mature

    from staged_targets
    left join metrics
        on staged_targets.metric_name = metrics.metric_name
            and staged_targets.scorecard_grain = metrics.grain
            and (
                (staged_targets.segment = 'all' and metrics.breakdown_name = 'all')
                or (
                    staged_targets.segment <> 'all' and metrics.breakdown_name <> 'all'
                    and metrics.breakdown_value = staged_targets.segment
                )
            )

),

latest as (

    select
        metric_name,
        segment,
        max(period_start) as latest_period_start

    from scored
    where is_mature and actual is not null
    group by 1, 2

),

final as (

    select
        cast(scored.metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(scored.segment as {{ dbt.type_string() }}) as segment,
        cast(scored.target_stage as integer) as target_stage,
        cast(scored.grain as {{ dbt.type_string() }}) as grain,
        cast(scored.period_start as date) as period_start,
        cast(scored.actual as double) as actual,
        cast(scored.target_value as double) as target_value,
        cast(scored.actual - scored.target_value as double) as gap,
        cast(scored.direction as {{ dbt.type_string() }}) as direction,
        cast(
            case
                when scored.actual is null then 'no_data'
                when scored.direction = 'higher' and scored.actual >= scored.target_value then 'met'
                when scored.direction = 'lower' and scored.actual <= scored.target_value then 'met'
                else 'missed'
            end as {{ dbt.type_string() }}
        ) as status,
        scored.is_mature,
        coalesce(scored.period_start = latest.latest_period_start, false) as is_latest_period

    from scored
    left join latest
        on scored.metric_name = latest.metric_name
            and scored.segment = latest.segment

)

select * from final
