{#- Schemas are named for their layer (staging, intermediate, marts), not prefixed by the target schema,
    so BI users see `marts.fct_cohort_retention`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
