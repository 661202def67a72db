{#- The rows of a raw entity feed that stand (docs/data_contract.md, "Corrections"): a later delivery of a key
    replaces the earlier one, so each key keeps its latest load, then its later row (files load in the order of
    their paths). The loader compares a new delivery with the same row (CURRENT_ROW_ORDER in
    retention_warehouse/ingestion.py). Adds the column `delivery_rank` (1). -#}
{% macro current_rows(relation, key_columns) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _loaded_at desc, _source_file desc, _row_number desc
            ) as delivery_rank
        from {{ relation }}
    ) as deliveries
    where delivery_rank = 1
{%- endmacro %}
