{#- Every distinct user_key of a relation with a bigint user_number (1, 2, ...), for heavy joins and windows
    inside one model (at 100M events, docs/benchmarks.md): keying on 8 bytes instead of 64 characters. Numbers are not stable across
    builds, so they never leave the model. -#}
{% macro numbered_users(relation) -%}
    select
        user_key,
        row_number() over (order by user_key) as user_number
    from (select distinct user_key from {{ relation }}) as distinct_users
{%- endmacro %}
