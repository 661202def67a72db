{#- Exact tail probabilities for the experiment tests (docs/experiments.md), in engine-neutral arithmetic only
    (ln, exp, sqrt, power): no engine has the normal, chi-square or t distribution functions in common. The
    series run over a fixed row set of `experiment_series_terms` terms and are summed by a group by, so no
    iteration is needed; each one is exact to about 1e-13 where it is used. -#}
{% macro experiment_series_terms() -%}
    1500
{%- endmacro %}

{#- ln Gamma(z) for z > 0: Stirling's series at w = z + 8 (truncation error below 1e-15), shifted back with
    ln Gamma(z) = ln Gamma(z + 8) - ln z - ln(z + 1) - ... - ln(z + 7). -#}
{% macro ln_gamma(z) -%}
    {%- set w = '((' ~ z ~ ') + 8)' -%}
    {%- set r2 = '(1.0 / (' ~ w ~ ' * ' ~ w ~ '))' -%}
    (
        ({{ w }} - 0.5) * ln({{ w }}) - {{ w }} + 0.91893853320467274
        + (1.0 / {{ w }}) * (1.0 / 12 + {{ r2 }} * (-1.0 / 360 + {{ r2 }} * (1.0 / 1260 + {{ r2 }} * (-1.0 / 1680
            + {{ r2 }} * (1.0 / 1188 + {{ r2 }} * (-691.0 / 360360 + {{ r2 }} / 156))))))
        {%- for k in range(8) %}
        - ln(({{ z }}) + {{ k }})
        {%- endfor %}
    )
{%- endmacro %}

{#- The regularized upper incomplete gamma function Q(s, x) for every row of `relation` (columns test_key, shape
    = s > 0, x >= 0), as a select of test_key and q. From the series P(s, x) = sum over n >= 0 of
    exp(-x + (s + n) ln x - ln Gamma(s + n + 1)), whose terms peak near n = x: exact for x <= 1,000 with 1,500
    terms; beyond, Q < 1e-300 for the shapes used here (s <= 10), so 0. Q(1/2, z^2 / 2) is the two-sided normal
    p-value of z; Q(k / 2, c / 2) is the chi-square survival function with k degrees of freedom at c. -#}
{% macro regularized_gamma_q(relation) -%}
    select
        test_key,
        case
            when max(x) <= 0 then 1.0
            when max(x) > 1000 then 0.0
            else least(1.0, greatest(0.0, 1.0 - sum(term)))
        end as q

    from (
        select
            inputs.test_key,
            inputs.x,
            exp(
                -inputs.x
                + (inputs.shape + series.generated_number - 1) * ln(greatest(inputs.x, 1e-300))
                - {{ ln_gamma('inputs.shape + series.generated_number') }}
            ) as term

        from {{ relation }} as inputs
        cross join ({{ dbt.generate_series(experiment_series_terms() | trim | int) }}) as series
        where inputs.x <= 1000
    ) as terms
    group by 1
{%- endmacro %}

{#- The two-sided p-value of Student's t for every row of `relation` (columns test_key, t, df > 0, df real), as
    a select of test_key and p = I_x(df / 2, 1 / 2) with x = df / (df + t^2). From the hypergeometric series
    I_x(a, b) = sum over n >= 0 of exp(a ln x + b ln(1 - x) - ln Gamma(b) + ln Gamma(a + b + n)
    - ln Gamma(a + 1 + n) + n ln x), whose terms shrink at least by x each: used directly when x <= 1/2, else
    for I_y(1/2, df / 2) with y = 1 - x (p = 1 - that), whose terms peak near n = t^2 / 2: exact for
    |t| <= 38; beyond (there df > t^2 > 1,444), p < 1e-300, so 0. -#}
{% macro student_t_two_sided_p(relation) -%}
    select
        test_key,
        case
            when max(abs_t) = 0 then 1.0
            when max(is_direct) = 1 then least(1.0, greatest(0.0, sum(term)))
            when max(abs_t) > 38 then 0.0
            else least(1.0, greatest(0.0, 1.0 - sum(term)))
        end as p

    from (
        select
            prepared.test_key,
            prepared.abs_t,
            prepared.is_direct,
            case
                when prepared.is_direct = 1 then exp(
                    prepared.half_df * ln(prepared.x) + 0.5 * ln(greatest(prepared.y, 1e-300))
                    - 0.57236494292470008
                    + {{ ln_gamma('prepared.half_df + 0.5 + series.generated_number - 1') }}
                    - {{ ln_gamma('prepared.half_df + series.generated_number') }}
                    + (series.generated_number - 1) * ln(prepared.x)
                )
                when prepared.abs_t > 0 and prepared.abs_t <= 38 then exp(
                    0.5 * ln(prepared.y) + prepared.half_df * ln(prepared.x)
                    - {{ ln_gamma('prepared.half_df') }}
                    + {{ ln_gamma('prepared.half_df + 0.5 + series.generated_number - 1') }}
                    - {{ ln_gamma('series.generated_number + 0.5') }}
                    + (series.generated_number - 1) * ln(prepared.y)
                )
                else 0.0
            end as term

        from (
            select
                test_key,
                abs(t) as abs_t,
                df / 2.0 as half_df,
                df / (df + t * t) as x,
                (t * t) / (df + t * t) as y,
                case when df / (df + t * t) <= 0.5 then 1 else 0 end as is_direct

            from {{ relation }}
        ) as prepared
        cross join ({{ dbt.generate_series(experiment_series_terms() | trim | int) }}) as series
    ) as terms
    group by 1
{%- endmacro %}

{#- Density of Student's t with df degrees of freedom at t. -#}
{% macro student_t_density(t, df) -%}
    exp(
        {{ ln_gamma('(' ~ df ~ ' + 1) / 2.0') }} - {{ ln_gamma(df ~ ' / 2.0') }}
        - 0.5 * ln(({{ df }}) * 3.14159265358979324)
        - (({{ df }}) + 1) / 2.0 * ln(1 + ({{ t }}) * ({{ t }}) / ({{ df }}))
    )
{%- endmacro %}

{#- The 0.975 quantile of Student's t (the half-width factor of a 95% interval) for every row of `relation`
    (columns test_key, df > 0), as CTEs named `<name>_0` .. `<name>_<steps>`; the last one holds test_key, df
    and t. Start: the Cornish-Fisher expansion around z = 1.959963984540054 to 1 / df^4, which is below the
    quantile for every df >= 1; then Newton steps on p(t) - 0.05, p the two-sided p-value: p is decreasing and
    convex for t > 0, so the steps rise to the quantile without overshooting, quadratically (6 steps leave
    less than 1e-12 at df = 1, machine precision for df >= 3). -#}
{% macro student_t_quantile_975_ctes(name, relation, steps=6) -%}
    {%- set z = 1.959963984540054 -%}
    {%- set g1 = (z ** 3 + z) / 4 -%}
    {%- set g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96 -%}
    {%- set g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384 -%}
    {%- set g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160 -%}
{{ name }}_0 as (

    select
        test_key,
        df,
        {{ z }} + {{ g1 }} / df + {{ g2 }} / (df * df) + {{ g3 }} / (df * df * df)
        + {{ g4 }} / (df * df * df * df) as t

    from {{ relation }}

),
{%- for step in range(steps) %}

{{ name }}_p_{{ step }} as (

    {{ student_t_two_sided_p(name ~ '_' ~ step) }}

),

{{ name }}_{{ step + 1 }} as (

    select
        previous.test_key,
        previous.df,
        previous.t + (tail.p - 0.05) / (2 * {{ student_t_density('previous.t', 'previous.df') }}) as t

    from {{ name }}_{{ step }} as previous
    inner join {{ name }}_p_{{ step }} as tail
        on previous.test_key = tail.test_key

){{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}
