{#- 95% Wilson score interval of a proportion successes / trials (docs/metric_definitions.md#conventions).
    NULL when trials is 0 or either input is NULL. Engine-neutral arithmetic only. -#}
{% macro wilson_bound(successes, trials, sign, z=1.959963984540054) -%}
    case
        when {{ trials }} > 0 and {{ successes }} is not null then
            (
                cast({{ successes }} as double) / {{ trials }} + {{ z * z }} / (2.0 * {{ trials }})
                {{ sign }} {{ z }} * sqrt(
                    (cast({{ successes }} as double) / {{ trials }})
                    * (1 - cast({{ successes }} as double) / {{ trials }}) / {{ trials }}
                    + {{ z * z }} / (4.0 * {{ trials }} * {{ trials }})
                )
            ) / (1 + {{ z * z }} / {{ trials }})
    end
{%- endmacro %}

{#- Exact at the ends (the bound is 0 at 0 successes and 1 at n of n, where floating point gives +-1e-17) and
    clamped to [0, 1], so that ci_low <= rate <= ci_high always holds. -#}
{% macro wilson_ci_low(successes, trials) -%}
    case
        when {{ trials }} > 0 and {{ successes }} = 0 then 0.0
        else greatest(0.0, least(1.0, {{ wilson_bound(successes, trials, '-') }}))
    end
{%- endmacro %}

{% macro wilson_ci_high(successes, trials) -%}
    case
        when {{ trials }} > 0 and {{ successes }} = {{ trials }} then 1.0
        else greatest(0.0, least(1.0, {{ wilson_bound(successes, trials, '+') }}))
    end
{%- endmacro %}
