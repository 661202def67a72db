-- The metric catalog, published: one row per metric of fct_metrics, generated from metrics/catalog.yml
-- (python -m orchestration.metric_catalog writes seeds/metric_catalog.csv and docs/metrics.md).
with

catalog as (

    select * from {{ ref('metric_catalog') }}

),

final as (

    select
        cast(name as varchar) as metric_name,
        cast(label as varchar) as label,
        cast(description as varchar) as description,
        cast(formula as varchar) as formula,
        cast(unit as varchar) as unit,
        cast(numerator as varchar) as numerator,
        cast(denominator as varchar) as denominator,
        cast(grains as varchar) as grains,
        cast(breakdowns as varchar) as breakdowns,
        cast(source_model as varchar) as source_model,
        cast(spec as varchar) as spec_section,
        cast(scorecard_grain as varchar) as scorecard_grain

    from catalog

)

select * from final
