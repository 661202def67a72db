with

-- A later delivery of a response corrects it: each response's latest delivery stands.
source as {{ not_materialized() }} (

    {{ current_rows(source('app', 'surveys'), ['response_id']) }}

),

final as (

    select
        response_id,
        {{ pseudonymise('user_id') }} as user_key,
        response_at,
        {{ to_reporting_date('response_at') }} as response_date,
        score,
        case
            when score >= 9 then 'promoter'
            when score >= 7 then 'passive'
            else 'detractor'
        end as nps_category

    from source

)

select * from final
