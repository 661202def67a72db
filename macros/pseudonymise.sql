{#- The pseudonymous user key: a salted SHA-256 of the source id, stable across loads, one per engine. -#}
{% macro pseudonymise(column) -%}
    {{ return(adapter.dispatch('pseudonymise', 'retention_warehouse')(column)) }}
{%- endmacro %}

{% macro default__pseudonymise(column) -%}
    sha256(concat('{{ var("id_salt") }}', '|', cast({{ column }} as varchar)))
{%- endmacro %}

{% macro spark__pseudonymise(column) -%}
    sha2(concat('{{ var("id_salt") }}', '|', cast({{ column }} as string)), 256)
{%- endmacro %}
