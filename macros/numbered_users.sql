{#- Every distinct user_key of one relation, or of a list of relations, with a bigint user_number (1, 2, ...), for
    heavy joins and windows inside one model (at 100M events, docs/benchmarks.md): keying on 8 bytes instead of 64
    characters. The numbers follow user_key order, so ties broken by user_number break as by user_key. Numbers are
    not stable across builds, so they never leave the model. -#}
{% macro numbered_users(relations) -%}
    {%- set relations = [relations] if relations is string else relations %}
    select
        user_key,
        row_number() over (order by user_key) as user_number
    from (
        select distinct user_key from (
            {%- for relation in relations %}
            select user_key from {{ relation }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as all_users
    ) as distinct_users
{%- endmacro %}
