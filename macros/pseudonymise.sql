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

{#- Every distinct user_key of a relation with a bigint user_number (1, 2, ...), for heavy joins and windows
    inside one model (at 100M events, docs/benchmarks.md): keying on 8 bytes instead of 64 characters. Numbers are not stable across
    builds, so they never leave the model. -#}
{% macro numbered_users(relation) -%}
    select
        user_key,
        row_number() over (order by user_key) as user_number
    from (select distinct user_key from {{ relation }}) as distinct_users
{%- endmacro %}
