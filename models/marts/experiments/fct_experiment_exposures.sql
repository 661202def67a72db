-- Not built on Spark yet: its exact-tail series (macros/experiment_statistics.sql) do not agree with DuckDB's to
-- the parity tolerance there (docs/experiments.md).
{{ config(enabled=target.type != 'spark') }}
-- Per experiment x variant: the analysed users against the expected split (var experiment_splits, else equal
-- over the variants seen), with the experiment's sample ratio mismatch test (chi-square, k - 1 degrees of freedom,
-- p exact through the regularized gamma function) and the users each exposure rule set aside.
{%- set splits = var('experiment_splits') %}
with

assignments as {{ not_materialized() }} (

    select * from {{ ref('int_experiment_assignments') }}

),

configured_splits as (

    {%- for experiment, weights in splits.items() %}
    {%- set outer = loop %}
    {%- for variant, weight in weights.items() %}
    select
        cast('{{ experiment }}' as {{ dbt.type_string() }}) as experiment_name,
        cast('{{ variant }}' as {{ dbt.type_string() }}) as variant_name,
        cast({{ weight }} as double) as weight
    {% if not (outer.last and loop.last) %}union all{% endif %}
    {%- endfor %}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as experiment_name,
            cast(null as {{ dbt.type_string() }}) as variant_name,
            cast(null as double) as weight
        where 1 = 0
    {%- endfor %}

),

experiments as (

    select
        experiment_name,
        count(*) as exposed_users,
        sum(case when is_included then 1 else 0 end) as analysed_users,
        sum(case when exclusion_reason = 'multiple_variants' then 1 else 0 end) as multiple_variant_users,
        sum(case when exclusion_reason = 'exposed_after_as_of' then 1 else 0 end) as exposed_after_as_of_users,
        sum(case when exclusion_reason = 'unknown_user' then 1 else 0 end) as unknown_users,
        sum(case when is_included and is_exposed_before_signup then 1 else 0 end) as exposed_before_signup_users

    from assignments
    group by 1

),

observed as (

    select
        experiment_name,
        variant_name,
        count(*) as users

    from assignments
    where is_included
    group by 1, 2

),

variants as (

    select
        experiment_name,
        variant_name
    from observed
    union
    select
        experiment_name,
        variant_name
    from configured_splits

),

weighted as (

    select
        variants.experiment_name,
        variants.variant_name,
        coalesce(observed.users, 0) as users,
        case
            when
                variants.experiment_name in (select configured.experiment_name from configured_splits as configured)
                then coalesce(configured_splits.weight, 0.0)
            else 1.0
        end as weight

    from variants
    left join observed
        on
            variants.experiment_name = observed.experiment_name
            and variants.variant_name = observed.variant_name
    left join configured_splits
        on
            variants.experiment_name = configured_splits.experiment_name
            and variants.variant_name = configured_splits.variant_name

),

expected as (

    select
        experiment_name,
        variant_name,
        users,
        weight / sum(weight) over (partition by experiment_name) as expected_share,
        sum(users) over (partition by experiment_name) * weight / sum(weight) over (partition by experiment_name)
            as expected_users

    from weighted

),

chi_square as (

    select
        experiment_name,
        count(*) - 1 as degrees_of_freedom,
        sum(case when expected_users > 0 then (users - expected_users) * (users - expected_users) / expected_users end)
            as chi_square,
        max(case when expected_users = 0 and users > 0 then 1 else 0 end) as has_unexpected_variant

    from expected
    group by 1

),

gamma_inputs as (

    select
        experiment_name as test_key,
        degrees_of_freedom / 2.0 as shape,
        chi_square / 2.0 as x

    from chi_square
    where degrees_of_freedom >= 1 and has_unexpected_variant = 0

),

gamma_tails as (

    {{ regularized_gamma_q('gamma_inputs') }}

),

tests as (

    select
        chi_square.experiment_name,
        chi_square.degrees_of_freedom,
        chi_square.chi_square,
        case when chi_square.has_unexpected_variant = 1 then 0.0 else gamma_tails.q end as p_value

    from chi_square
    left join gamma_tails
        on chi_square.experiment_name = gamma_tails.test_key

),

final as (

    select
        cast(expected.experiment_name as {{ dbt.type_string() }}) as experiment_name,
        cast(expected.variant_name as {{ dbt.type_string() }}) as variant_name,
        expected.variant_name = '{{ var("experiment_control_variant") }}' as is_control,
        cast(expected.users as bigint) as analysed_users,
        cast(expected.expected_share as double) as expected_share,
        cast(expected.expected_users as double) as expected_users,
        cast(experiments.exposed_users as bigint) as experiment_exposed_users,
        cast(experiments.analysed_users as bigint) as experiment_analysed_users,
        cast(experiments.multiple_variant_users as bigint) as multiple_variant_users,
        cast(experiments.exposed_after_as_of_users as bigint) as exposed_after_as_of_users,
        cast(experiments.unknown_users as bigint) as unknown_users,
        cast(experiments.exposed_before_signup_users as bigint) as exposed_before_signup_users,
        cast(tests.chi_square as double) as srm_chi_square,
        cast(tests.degrees_of_freedom as integer) as srm_degrees_of_freedom,
        cast(tests.p_value as double) as srm_p_value,
        coalesce(tests.p_value < {{ var('experiment_srm_p_value') }}, false) as has_sample_ratio_mismatch

    from expected
    inner join experiments
        on expected.experiment_name = experiments.experiment_name
    inner join tests
        on expected.experiment_name = tests.experiment_name

)

select * from final
