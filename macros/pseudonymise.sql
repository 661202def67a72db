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

{#- The user id in a quarantined raw record (a JSON object of the row's text values, its keys as the file spelled
    them): the value of the key that reads `user_id` case-insensitively, trimmed; NULL when the record is not a JSON
    object or has no such key. DuckDB only (stg_app__quarantined_rows). -#}
{% macro record_user_id(record) -%}
    case when coalesce(json_valid({{ record }}), false) then
        case when json_type({{ record }}::json) = 'OBJECT' then
            nullif(trim(json_extract_string(
                {{ record }},
                '$."' || list_filter(
                    json_keys({{ record }}), lambda k: lower(trim(ltrim(k, chr(65279)))) = 'user_id'
                )[1] || '"'
            )), '')
        end
    end
{%- endmacro %}
