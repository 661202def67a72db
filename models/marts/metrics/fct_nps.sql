-- NPS per grain (var grains.metrics) and period (docs/metric_definitions.md#monetisation-and-acquisition): survey responses, promoters (9-10),
-- passives (7-8), detractors (0-6) and NPS = 100 x (promoters - detractors) / responses, from -100 to 100.
with

periods as {{ not_materialized() }} (

    select * from {{ ref('int_metric_periods') }}

),

responses as {{ not_materialized() }} (

    select * from {{ ref('stg_app__survey_responses') }}

),

counts as (

    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        periods.is_complete,
        count(*) as responses,
        sum(case when responses.nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when responses.nps_category = 'passive' then 1 else 0 end) as passives,
        sum(case when responses.nps_category = 'detractor' then 1 else 0 end) as detractors

    from periods
    inner join responses
        on responses.response_date between periods.period_start and periods.observed_through
    group by 1, 2, 3, 4

),

final as (

    select
        cast(grain as {{ dbt.type_string() }}) as grain,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(responses as bigint) as responses,
        cast(promoters as bigint) as promoters,
        cast(passives as bigint) as passives,
        cast(detractors as bigint) as detractors,
        cast(100.0 * (promoters - detractors) / responses as double) as nps,
        is_complete as is_complete_period

    from counts

)

select * from final
