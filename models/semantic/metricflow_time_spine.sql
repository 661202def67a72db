-- One row per calendar day: MetricFlow's time spine, and the calendar the metric periods are cut from.
{{ config(materialized='table', schema='semantic') }}
with

days as (

    {{ dbt.date_spine('day', "cast('" ~ var('time_spine_start') ~ "' as date)", "cast('" ~ var('time_spine_end') ~ "' as date)") }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
