-- Not built on Spark yet: its exact-tail series (macros/experiment_statistics.sql) do not agree with DuckDB's to
-- the parity tolerance there (docs/experiments.md).
{{ config(enabled=target.type != 'spark') }}
-- Results per experiment x variant x metric: the variant's value over its mature users, and each variant
-- against the control (var experiment_control_variant). Proportions: 95% Wilson interval, Newcombe's hybrid score
-- interval of the difference (method 10) and the pooled two-proportion z-test. Means (ARPU): 95% t interval,
-- Welch's interval of the difference and Welch's t-test. p-values are two-sided and exact (macros
-- experiment_statistics); the experiment's sample ratio mismatch comes from fct_experiment_exposures.
-- A metric with no mature user in a variant has a NULL value (immature).
-- Two builds of the same data give the same rows: means and variances come from decimal sums, and the values that
-- come from the summed tail series (p-values, t-based intervals) are rounded to 12 significant digits.
{%- set control = var('experiment_control_variant') %}
with

user_metrics as {{ not_materialized() }} (

    select * from {{ ref('int_experiment_user_metrics') }}

),

exposure_summary as {{ not_materialized() }} (

    select * from {{ ref('fct_experiment_exposures') }}

),

variant_metrics as (

    select
        experiment_name,
        variant_name,
        metric_name,
        max(metric_kind) as metric_kind,
        count(distinct user_key) as exposed_users,
        sum(case when is_mature and is_in_denominator then 1 else 0 end) as users,
        sum(case when is_mature and is_in_denominator then cast(metric_value as decimal(38, 6)) end) as exact_sum,
        sum(
            case
                when is_mature and is_in_denominator
                    then cast(metric_value as decimal(38, 6)) * cast(metric_value as decimal(38, 6))
            end
        ) as exact_square_sum

    from user_metrics
    group by 1, 2, 3

),

-- Sums in decimal, so the order the engine adds the rows in cannot change them (a rebuild gives the same bits);
-- mean and sample variance follow in double.
variant_moments as (

    select
        experiment_name,
        variant_name,
        metric_name,
        metric_kind,
        exposed_users,
        users,
        cast(exact_sum as double) as metric_sum,
        case when users > 0 then cast(exact_sum as double) / users end as metric_mean,
        case
            when users > 1
                then (cast(exact_square_sum as double) - cast(exact_sum as double) * cast(exact_sum as double) / users)
                    / (users - 1)
        end as metric_variance

    from variant_metrics

),

paired as (

    select
        variant_moments.*,
        control_metrics.users as control_users,
        control_metrics.metric_sum as control_sum,
        control_metrics.metric_mean as control_mean,
        control_metrics.metric_variance as control_variance,
        variant_moments.variant_name = '{{ control }}' as is_control,
        control_metrics.users > 0 and variant_moments.users > 0
        and variant_moments.variant_name <> '{{ control }}' as is_compared

    from variant_moments
    left join variant_moments as control_metrics
        on
            variant_moments.experiment_name = control_metrics.experiment_name
            and variant_moments.metric_name = control_metrics.metric_name
            and control_metrics.variant_name = '{{ control }}'

),

proportions as (

    select
        *,
        {{ wilson_ci_low('metric_sum', 'users') }} as value_ci_low,
        {{ wilson_ci_high('metric_sum', 'users') }} as value_ci_high,
        {{ wilson_ci_low('control_sum', 'control_users') }} as control_ci_low,
        {{ wilson_ci_high('control_sum', 'control_users') }} as control_ci_high,
        (metric_sum + control_sum) / (users + control_users) as pooled_rate

    from paired
    where metric_kind = 'proportion'

),

proportion_tests as (

    select
        experiment_name,
        variant_name,
        metric_name,
        value_ci_low,
        value_ci_high,
        case when is_compared then
                metric_mean - control_mean - sqrt(
                    (metric_mean - value_ci_low) * (metric_mean - value_ci_low)
                    + (control_ci_high - control_mean) * (control_ci_high - control_mean)
                )
        end as difference_ci_low,
        case when is_compared then
                metric_mean - control_mean + sqrt(
                    (value_ci_high - metric_mean) * (value_ci_high - metric_mean)
                    + (control_mean - control_ci_low) * (control_mean - control_ci_low)
                )
        end as difference_ci_high,
        case when is_compared and pooled_rate > 0 and pooled_rate < 1 then
                (metric_mean - control_mean)
                / sqrt(pooled_rate * (1 - pooled_rate) * (1.0 / users + 1.0 / control_users))
        end as test_statistic,
        cast(null as double) as degrees_of_freedom

    from proportions

),

means as (

    select
        *,
        metric_variance / users as squared_error,
        control_variance / control_users as control_squared_error

    from paired
    where metric_kind = 'mean'

),

mean_tests as (

    select
        experiment_name,
        variant_name,
        metric_name,
        users,
        metric_mean,
        sqrt(squared_error) as standard_error,
        case when is_compared and users > 1 and control_users > 1 and squared_error + control_squared_error > 0
                then sqrt(squared_error + control_squared_error)
        end as difference_standard_error,
        case when is_compared and users > 1 and control_users > 1 and squared_error + control_squared_error > 0
                then (metric_mean - control_mean) / sqrt(squared_error + control_squared_error)
        end as test_statistic,
        case when is_compared and users > 1 and control_users > 1 and squared_error + control_squared_error > 0
                then (squared_error + control_squared_error) * (squared_error + control_squared_error) / (
                        squared_error * squared_error / (users - 1)
                        + control_squared_error * control_squared_error / (control_users - 1)
                    )
        end as degrees_of_freedom

    from means

),

-- The t quantiles: of each Welch difference (its degrees of freedom) and of each mean (users - 1).
quantile_inputs as (

    select
        {{ dbt.concat(["'difference|'", 'experiment_name', "'|'", 'variant_name', "'|'", 'metric_name']) }}
            as test_key,
        degrees_of_freedom as df

    from mean_tests
    where degrees_of_freedom is not null
    union all
    select
        {{ dbt.concat(["'value|'", 'experiment_name', "'|'", 'variant_name', "'|'", 'metric_name']) }}
            as test_key,
        cast(users - 1 as double) as df

    from mean_tests
    where users > 1

),

{{ student_t_quantile_975_ctes('quantiles', 'quantile_inputs') }},

t_inputs as (

    select
        {{ dbt.concat(['experiment_name', "'|'", 'variant_name', "'|'", 'metric_name']) }} as test_key,
        test_statistic as t,
        degrees_of_freedom as df

    from mean_tests
    where test_statistic is not null

),

t_tails as (

    {{ student_t_two_sided_p('t_inputs') }}

),

gamma_inputs as (

    select
        {{ dbt.concat(['experiment_name', "'|'", 'variant_name', "'|'", 'metric_name']) }} as test_key,
        0.5 as shape,
        test_statistic * test_statistic / 2.0 as x

    from proportion_tests
    where test_statistic is not null

),

normal_tails as (

    {{ regularized_gamma_q('gamma_inputs') }}

),

mean_results as (

    select
        mean_tests.experiment_name,
        mean_tests.variant_name,
        mean_tests.metric_name,
        mean_tests.metric_mean - value_quantiles.t * mean_tests.standard_error as value_ci_low,
        mean_tests.metric_mean + value_quantiles.t * mean_tests.standard_error as value_ci_high,
        -difference_quantiles.t * mean_tests.difference_standard_error as half_width_low,
        difference_quantiles.t * mean_tests.difference_standard_error as half_width_high,
        mean_tests.test_statistic,
        mean_tests.degrees_of_freedom,
        t_tails.p as p_value

    from mean_tests
    left join quantiles_6 as value_quantiles
        on
            value_quantiles.test_key
            = {{ dbt.concat(["'value|'", 'mean_tests.experiment_name', "'|'", 'mean_tests.variant_name', "'|'",
                'mean_tests.metric_name']) }}
    left join quantiles_6 as difference_quantiles
        on
            difference_quantiles.test_key
            = {{ dbt.concat(["'difference|'", 'mean_tests.experiment_name', "'|'", 'mean_tests.variant_name', "'|'",
                'mean_tests.metric_name']) }}
    left join t_tails
        on
            t_tails.test_key
            = {{ dbt.concat(['mean_tests.experiment_name', "'|'", 'mean_tests.variant_name', "'|'",
                'mean_tests.metric_name']) }}

),

tested as (

    select
        paired.experiment_name,
        paired.variant_name,
        paired.metric_name,
        paired.metric_kind,
        paired.is_control,
        paired.exposed_users,
        paired.users,
        case when paired.metric_kind = 'proportion' then paired.metric_sum end as successes,
        paired.metric_mean as metric_value,
        coalesce(proportion_tests.value_ci_low, mean_results.value_ci_low) as ci_low,
        coalesce(proportion_tests.value_ci_high, mean_results.value_ci_high) as ci_high,
        case when paired.users > 0 then paired.control_mean end as control_value,
        case when paired.is_compared then paired.metric_mean - paired.control_mean end as absolute_lift,
        case when paired.is_compared and paired.control_mean <> 0
                then (paired.metric_mean - paired.control_mean) / paired.control_mean
        end as relative_lift,
        coalesce(
            proportion_tests.difference_ci_low,
            paired.metric_mean - paired.control_mean + mean_results.half_width_low
        ) as difference_ci_low,
        coalesce(
            proportion_tests.difference_ci_high,
            paired.metric_mean - paired.control_mean + mean_results.half_width_high
        ) as difference_ci_high,
        coalesce(proportion_tests.test_statistic, mean_results.test_statistic) as test_statistic,
        mean_results.degrees_of_freedom,
        coalesce(normal_tails.q, mean_results.p_value) as p_value

    from paired
    left join proportion_tests
        on
            paired.experiment_name = proportion_tests.experiment_name
            and paired.variant_name = proportion_tests.variant_name
            and paired.metric_name = proportion_tests.metric_name
    left join mean_results
        on
            paired.experiment_name = mean_results.experiment_name
            and paired.variant_name = mean_results.variant_name
            and paired.metric_name = mean_results.metric_name
    left join normal_tails
        on
            normal_tails.test_key
            = {{ dbt.concat(['paired.experiment_name', "'|'", 'paired.variant_name', "'|'", 'paired.metric_name']) }}

),

srm as (

    select
        experiment_name,
        max(srm_p_value) as srm_p_value,
        max(case when has_sample_ratio_mismatch then 1 else 0 end) as srm_flag

    from exposure_summary
    group by 1

),

final as (

    select
        cast(tested.experiment_name as {{ dbt.type_string() }}) as experiment_name,
        cast(tested.variant_name as {{ dbt.type_string() }}) as variant_name,
        tested.is_control,
        cast(tested.metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(tested.metric_kind as {{ dbt.type_string() }}) as metric_kind,
        cast(tested.exposed_users as bigint) as exposed_users,
        cast(tested.users as bigint) as users,
        cast(tested.successes as bigint) as successes,
        cast(tested.metric_value as double) as metric_value,
        cast({{ round_significant('tested.ci_low') }} as double) as ci_low,
        cast({{ round_significant('tested.ci_high') }} as double) as ci_high,
        cast(tested.control_value as double) as control_value,
        cast(tested.absolute_lift as double) as absolute_lift,
        cast(tested.relative_lift as double) as relative_lift,
        cast({{ round_significant('tested.difference_ci_low') }} as double) as difference_ci_low,
        cast({{ round_significant('tested.difference_ci_high') }} as double) as difference_ci_high,
        cast(tested.test_statistic as double) as test_statistic,
        cast(tested.degrees_of_freedom as double) as degrees_of_freedom,
        cast({{ round_significant('tested.p_value') }} as double) as p_value,
        coalesce(tested.p_value < 0.05, false) as is_significant,
        cast({{ round_significant('srm.srm_p_value') }} as double) as srm_p_value,
        coalesce(srm.srm_flag = 1, false) as has_sample_ratio_mismatch

    from tested
    left join srm
        on tested.experiment_name = srm.experiment_name

)

select * from final
