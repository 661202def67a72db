{#- 95% Wilson score interval of a proportion successes / trials (METRICS.md section 0).
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

{#- Clamped to [0, 1]: at 0 or n successes floating point otherwise lands a hair outside (-1e-17, 1 + 2e-16). -#}
{% macro wilson_ci_low(successes, trials) -%}
    greatest(0.0, least(1.0, {{ wilson_bound(successes, trials, '-') }}))
{%- endmacro %}

{% macro wilson_ci_high(successes, trials) -%}
    greatest(0.0, least(1.0, {{ wilson_bound(successes, trials, '+') }}))
{%- endmacro %}
