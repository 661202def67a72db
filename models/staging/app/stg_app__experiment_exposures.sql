-- Experiment exposures with the pseudonymous user key (no source user id leaves the raw layer). The exposure
-- rules (first exposure, users who saw more than one variant, exposures before signup or after the as-of date)
-- are applied in int_experiment_assignments.
with

source as {{ not_materialized() }} (

    select * from {{ source('app', 'experiment_exposures') }}

),

final as (

    select
        {{ pseudonymise('user_id') }} as user_key,
        experiment as experiment_name,
        variant as variant_name,
        exposed_at,
        {{ to_reporting_date('exposed_at') }} as exposure_date,
        _loaded_at as loaded_at

    from source

)

select * from final
