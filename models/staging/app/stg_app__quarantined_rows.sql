-- The quarantine as it is published (retention_warehouse/publish.py copies it as raw.raw_quarantine): every column
-- but the raw record, which holds source user ids, IP addresses and user agents, and instead the pseudonymous key
-- of the record's user id, pseudonymised as every staging model does, so it joins the marts. NULL when the record
-- has no user id or is not a JSON object (a line that could not be parsed). DuckDB only: the publisher reads the
-- working DuckDB file.
{{ config(enabled=target.type == 'duckdb') }}

with

source as {{ not_materialized() }} (

    select * from {{ source('app', 'raw_quarantine') }}

),

records as (

    select
        *,
        {{ record_user_id('raw_record') }} as source_user_id

    from source

),

final as (

    select
        load_id,
        feed,
        source_file,
        row_number,
        reason_code,
        reason_detail,
        quarantined_at,
        case when source_user_id is not null then {{ pseudonymise('source_user_id') }} end as user_key

    from records

)

select * from final
