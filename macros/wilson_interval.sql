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

{% macro wilson_ci_low(successes, trials) -%}
    {{ wilson_bound(successes, trials, '-') }}
{%- endmacro %}

{% macro wilson_ci_high(successes, trials) -%}
    {{ wilson_bound(successes, trials, '+') }}
{%- endmacro %}
