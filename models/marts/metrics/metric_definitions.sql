-- The metric catalog, published: one row per metric of fct_metrics, generated from metrics/catalog.yml
-- (python -m cli.metric_catalog writes seeds/metric_catalog.csv and docs/metric_definitions.md).
with

catalog as {{ not_materialized() }} (

    select * from {{ ref('metric_catalog') }}

),

final as (

    select
        cast(name as {{ dbt.type_string() }}) as metric_name,
        cast(label as {{ dbt.type_string() }}) as label,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(formula as {{ dbt.type_string() }}) as formula,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(numerator as {{ dbt.type_string() }}) as numerator,
        cast(denominator as {{ dbt.type_string() }}) as denominator,
        cast(grains as {{ dbt.type_string() }}) as grains,
        cast(breakdowns as {{ dbt.type_string() }}) as breakdowns,
        cast(source_model as {{ dbt.type_string() }}) as source_model,
        cast(spec as {{ dbt.type_string() }}) as spec_section,
        cast(scorecard_grain as {{ dbt.type_string() }}) as scorecard_grain

    from catalog

)

select * from final
