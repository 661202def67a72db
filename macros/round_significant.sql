{#- `expression` rounded to `digits` significant digits (NULL stays NULL, 0 stays 0). A float sum depends on the
    order the engine adds the rows in, so a double aggregated from many rows can differ in its last bits between two
    builds of the same data; rounded, it does not. Scaling by a power of ten and rounding to an integer, rather than
    round(x, scale) with a computed scale, keeps it engine-neutral (Spark accepts only a literal scale). -#}
{% macro round_significant(expression, digits=12) -%}
    case
        when ({{ expression }}) = 0 then 0.0
        else round(({{ expression }}) * power(10.0, {{ digits - 1 }} - floor(log10(abs({{ expression }})))))
            / power(10.0, {{ digits - 1 }} - floor(log10(abs({{ expression }}))))
    end
{%- endmacro %}
