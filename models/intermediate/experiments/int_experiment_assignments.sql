-- One row per experiment x exposed user: the variant, the first exposure and whether the user is analysed.
-- The rules (docs/experiments.md):
-- - as of the as-of date (the retention models' one): an exposure dated after it is not counted yet, and a user
--   whose exposures are all after it is excluded (exposed_after_as_of). An exposure counts at its own time,
--   whenever it was delivered: a late delivery moves no exposure;
-- - the first exposure counts; a user exposed to more than one variant is excluded (multiple_variants);
-- - an exposure before the user's signup counts as an exposure at signup (exposed before signup is flagged);
-- - a user unknown to int_users_resolved (no signup, event or order) is excluded (unknown_user).
with

exposures as {{ not_materialized() }} (

    select * from {{ ref('stg_app__experiment_exposures') }}

),

resolved_users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

as_of as {{ not_materialized() }} (

    select * from {{ ref('int_as_of_date') }}

),

exposed_users as (

    select
        exposures.experiment_name,
        exposures.user_key,
        count(distinct case when exposures.exposure_date <= as_of.as_of_date then exposures.variant_name end)
            as variants,
        min(case when exposures.exposure_date <= as_of.as_of_date then exposures.variant_name end)
            as variant_name,
        min(case when exposures.exposure_date <= as_of.as_of_date then exposures.exposed_at end)
            as first_exposed_at,
        sum(case when exposures.exposure_date <= as_of.as_of_date then 1 else 0 end) as exposures

    from exposures
    cross join as_of
    group by 1, 2

),

assigned as (

    select
        exposed_users.experiment_name,
        exposed_users.user_key,
        exposed_users.variants,
        exposed_users.exposures,
        resolved_users.signup_at,
        case when exposed_users.variants = 1 then exposed_users.variant_name end as variant_name,
        case
            when exposed_users.first_exposed_at < resolved_users.signup_at then resolved_users.signup_at
            else exposed_users.first_exposed_at
        end as first_exposed_at,
        coalesce(exposed_users.first_exposed_at < resolved_users.signup_at, false) as is_exposed_before_signup,
        case
            when exposed_users.variants = 0 then 'exposed_after_as_of'
            when exposed_users.variants > 1 then 'multiple_variants'
            when resolved_users.user_key is null then 'unknown_user'
        end as exclusion_reason

    from exposed_users
    left join resolved_users
        on exposed_users.user_key = resolved_users.user_key

),

final as (

    select
        cast(experiment_name as {{ dbt.type_string() }}) as experiment_name,
        cast(user_key as {{ dbt.type_string() }}) as user_key,
        cast(variant_name as {{ dbt.type_string() }}) as variant_name,
        cast(first_exposed_at as timestamp) as first_exposed_at,
        {{ to_reporting_date('first_exposed_at') }} as exposure_date,
        cast(exposures as bigint) as exposures,
        cast(variants as bigint) as variants,
        is_exposed_before_signup,
        exclusion_reason is null as is_included,
        cast(exclusion_reason as {{ dbt.type_string() }}) as exclusion_reason

    from assigned

)

select * from final
