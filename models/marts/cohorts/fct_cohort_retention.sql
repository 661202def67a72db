-- Cohort retention, long format: one row per definition x grain x cohort x breakdown x type x period (or bracket).
-- Definitions, grains (the keys of retention_max_periods), types, brackets and breakdowns are vars.
-- n_period: active in period n. unbounded: active in period n or any later period observed up to the as-of date.
-- bracket: active in any period of [first, last]; its period_number is the bracket's first period.
-- A cell is mature when the last day of the period it needs (n, or the bracket's last) is on or before the
-- as-of date; an immature cell has NULL retained_users, retention_rate and interval.
-- Breakdown cells exist only where the cohort has users with that attribute value.
{%- set definitions = var('retention_definitions') %}
{%- set max_periods = var('retention_max_periods') %}
{%- set grains = max_periods.keys() | list %}
{%- set types = var('retention_types') %}
{%- set brackets = var('retention_brackets') %}
{%- set breakdowns = var('retention_breakdowns') %}
{%- set prefixes = {'day': 'D', 'week': 'W', 'month': 'M'} %}
{%- set bracket_rows = [] %}
{#- The key of a cohort cell (one cohort of one definition, grain and breakdown value). #}
{%- set cell_keys = ['retention_definition', 'grain', 'cohort_start', 'breakdown_name', 'breakdown_value'] %}
{%- set cohort_columns = ['retention_definition', 'cohort_type', 'grain', 'cohort_start'] %}
{%- set cell_columns = ['retention_definition', 'cohort_type', 'grain', 'cohort_start', 'breakdown_name', 'breakdown_value'] %}
{%- for grain in grains %}{% for bracket in brackets.get(grain, []) %}
{%- if bracket[1] <= max_periods[grain] %}{% do bracket_rows.append((grain, bracket[0], bracket[1])) %}{% endif %}
{%- endfor %}{% endfor %}
with

resolved_users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

user_retention_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_retention_days') }}

),

as_of as {{ not_materialized() }} (

    select * from {{ ref('int_as_of_date') }}

),

-- Users are numbered once (for 100M events): members, periods and counts below key on a bigint user_number instead of
-- the 64-character user_key, which the output does not carry.
user_numbers as (

    {{ numbered_users(['resolved_users', 'user_retention_days']) }}

),

users as (

    select
        user_numbers.user_number,
        resolved_users.signup_date
        {%- for breakdown in breakdowns %},
        resolved_users.{{ breakdown }}
        {%- endfor %}

    from resolved_users
    inner join user_numbers
        on resolved_users.user_key = user_numbers.user_key

),

retention_days as (

    select
        user_retention_days.retention_definition,
        user_numbers.user_number,
        user_retention_days.activity_date,
        user_retention_days.is_start_day,
        user_retention_days.is_return_day

    from user_retention_days
    inner join user_numbers
        on user_retention_days.user_key = user_numbers.user_key

),

definitions as (

    {%- for definition in definitions %}
    select
        cast('{{ definition.name }}' as {{ dbt.type_string() }}) as retention_definition,
        cast('{{ definition.cohort_type }}' as {{ dbt.type_string() }}) as cohort_type,
        {{ 'true' if definition.start_events == 'signup' else 'false' }} as starts_at_signup
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

grains as (

    {%- for grain in grains %}
    select
        cast('{{ grain }}' as {{ dbt.type_string() }}) as grain,
        {{ max_periods[grain] }} as max_period_number
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

periods as (

    select
        grains.grain,
        cast(series.generated_number - 1 as integer) as period_number

    from ({{ dbt.generate_series(max_periods.values() | max + 1) }}) as series
    inner join grains
        on series.generated_number - 1 <= grains.max_period_number

),

brackets as (

    {%- for row in bracket_rows %}
    select
        cast('{{ row[0] }}' as {{ dbt.type_string() }}) as grain,
        {{ row[1] }} as first_period_number,
        {{ row[2] }} as last_period_number,
        cast('{{ prefixes[row[0]] }}{{ row[1] }}{% if row[2] != row[1] %}-{{ prefixes[row[0]] }}{{ row[2] }}{% endif %}'
            as {{ dbt.type_string() }}) as bracket_label
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as grain,
        0 as first_period_number,
        0 as last_period_number,
        cast(null as {{ dbt.type_string() }}) as bracket_label
    where 1 = 0
    {%- endfor %}

),

-- Entries: a user's signup, their first start day (first_time) or every start day (recurring).
event_entries as (

    select
        definitions.retention_definition,
        definitions.cohort_type,
        retention_days.user_number,
        retention_days.activity_date as entry_date,
        min(retention_days.activity_date) over (
            partition by definitions.retention_definition, retention_days.user_number
        ) as first_entry_date

    from retention_days
    inner join definitions
        on retention_days.retention_definition = definitions.retention_definition
    where retention_days.is_start_day
        and not definitions.starts_at_signup

),

entries as (

    select
        definitions.retention_definition,
        definitions.cohort_type,
        users.user_number,
        users.signup_date as entry_date

    from definitions
    cross join users
    where definitions.starts_at_signup

    union all

    select
        retention_definition,
        cohort_type,
        user_number,
        entry_date

    from event_entries
    where cohort_type = 'recurring' or entry_date = first_entry_date

),

members as (

    select distinct
        entries.retention_definition,
        entries.cohort_type,
        grains.grain,
        {{ period_start_by_grain_column('grains.grain', 'entries.entry_date') }} as cohort_start,
        entries.user_number

    from entries
    cross join grains
    cross join as_of
    where entries.entry_date <= as_of.as_of_date

),

return_periods as (

    select distinct
        retention_days.retention_definition,
        grains.grain,
        retention_days.user_number,
        {{ period_start_by_grain_column('grains.grain', 'retention_days.activity_date') }} as period_start

    from retention_days
    cross join grains
    cross join as_of
    where retention_days.is_return_day
        and retention_days.activity_date <= as_of.as_of_date

),

member_periods as (

    select
        members.retention_definition,
        members.grain,
        members.cohort_start,
        members.user_number,
        {{ period_number_by_grain_column('members.grain', 'members.cohort_start', 'return_periods.period_start') }}
            as period_number

    from members
    inner join return_periods
        on members.retention_definition = return_periods.retention_definition
        and members.grain = return_periods.grain
        and members.user_number = return_periods.user_number
        and return_periods.period_start >= members.cohort_start

),

-- Each distinct combination of a user's breakdown values (a profile) is numbered once. Member-level rows carry the
-- profile's number and are counted per profile first; the grouping sets (one set for `all`, one per breakdown)
-- then sum a few rows per profile instead of grouping every member row by its breakdown strings (for 100M events).
{%- set breakdown_columns = [] %}
{%- for breakdown in breakdowns %}{% do breakdown_columns.append('breakdown_' ~ loop.index) %}{% endfor %}
user_breakdowns as (

    select
        users.user_number
        {%- for breakdown in breakdowns %},
        cast(coalesce(cast(users.{{ breakdown }} as {{ dbt.type_string() }}), 'unknown') as {{ dbt.type_string() }})
            as breakdown_{{ loop.index }}
        {%- endfor %}

    from users

),

profiles as (
    {%- if breakdowns %}

        select
            row_number() over (order by {{ breakdown_columns | join(', ') }}) as profile_number,
            {{ breakdown_columns | join(',\n            ') }},
            {% for column in breakdown_columns %}{{ column }} = 'unknown'{% if not loop.last %} and {% endif %}{% endfor %}
                as is_unknown

        from (
            select {{ breakdown_columns | join(', ') }} from user_breakdowns
            union
            select {% for column in breakdown_columns %}'unknown' as {{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
        ) as combinations
    {%- else %}

        select 1 as profile_number, true as is_unknown
    {%- endif %}

),

-- A member without a user row (none today) has every breakdown 'unknown'.
member_profiles as (

    select
        members.retention_definition,
        members.cohort_type,
        members.grain,
        members.cohort_start,
        members.user_number,
        coalesce(user_profiles.profile_number, unknown_profile.profile_number) as profile_number

    from members
    left join (
        select
            user_breakdowns.user_number,
            profiles.profile_number

        from user_breakdowns
        inner join profiles
            on {{ equal_keys('user_breakdowns', 'profiles', breakdown_columns) if breakdowns else 'true' }}
    ) as user_profiles
        on members.user_number = user_profiles.user_number
    cross join (select profile_number from profiles where is_unknown) as unknown_profile

),

{#- A member and their profile: the grain of the member-level rows counted below. -#}
{%- set member_columns -%}
    period_members.retention_definition, period_members.cohort_type, period_members.grain,
        period_members.cohort_start, period_members.user_number, period_members.profile_number
{%- endset %}

-- Member-level facts, each with the member's profile.
period_members as (

    select
        member_profiles.*,
        member_periods.period_number

    from member_periods
    inner join member_profiles
        on member_periods.retention_definition = member_profiles.retention_definition
        and member_periods.grain = member_profiles.grain
        and member_periods.cohort_start = member_profiles.cohort_start
        and member_periods.user_number = member_profiles.user_number

),

-- Unbounded: a member counts in every period up to their last return period (capped at the last published one).
last_periods as (

    select
        {{ member_columns }},
        case
            when max(period_members.period_number) > max(grains.max_period_number)
                then max(grains.max_period_number)
            else max(period_members.period_number)
        end as last_period_number

    from period_members
    inner join grains
        on period_members.grain = grains.grain
    group by {{ member_columns }}

),

bracket_members as (

    select distinct
        {{ member_columns }},
        brackets.first_period_number

    from period_members
    inner join brackets
        on period_members.grain = brackets.grain
        and period_members.period_number between brackets.first_period_number and brackets.last_period_number

),

{#- The counts per cell: (name, member-level rows, the key they are counted by besides the cohort, the count). -#}
{%- set cell_counts = [
    ('cohort_sizes', 'member_profiles', none, 'cohort_size'),
    ('n_period_counts', 'period_members', 'period_number', 'retained_users'),
    ('last_period_counts', 'last_periods', 'last_period_number', 'users_ending'),
    ('bracket_counts', 'bracket_members', 'first_period_number', 'retained_users'),
] %}
{%- for name, source, key, measure in cell_counts %}
{%- set keys = cohort_columns + ([key] if key else []) %}

{{ name }} as (

    select
        {{ keys | join(',\n        ') }},
        {{ breakdown_name_value(breakdowns) }},
        cast(sum(profile_counts.members) as bigint) as {{ measure }}

    from (
        select
            {{ keys | join(',\n            ') }},
            profile_number,
            count(*) as members

        from {{ source }}
        group by {{ keys | join(', ') }}, profile_number
    ) as profile_counts
    inner join profiles
        on profile_counts.profile_number = profiles.profile_number
    group by {{ breakdown_grouping_sets(keys | join(', '), breakdowns) }}

),
{%- endfor %}

period_cells as (

    select
        {%- for column in cell_columns %}
        cohort_sizes.{{ column }},
        {%- endfor %}
        periods.period_number,
        cohort_sizes.cohort_size,
        coalesce(n_period_counts.retained_users, 0) as n_period_users,
        sum(coalesce(last_period_counts.users_ending, 0)) over (
            partition by
                cohort_sizes.retention_definition,
                cohort_sizes.grain,
                cohort_sizes.cohort_start,
                cohort_sizes.breakdown_name,
                cohort_sizes.breakdown_value
            order by periods.period_number desc
            rows between unbounded preceding and current row
        ) as unbounded_users

    from cohort_sizes
    inner join periods
        on cohort_sizes.grain = periods.grain
    left join n_period_counts
        on {{ equal_keys('cohort_sizes', 'n_period_counts', cell_keys) }}
        and periods.period_number = n_period_counts.period_number
    left join last_period_counts
        on {{ equal_keys('cohort_sizes', 'last_period_counts', cell_keys) }}
        and periods.period_number = last_period_counts.last_period_number

),

cells as (

    {%- set unions = [] %}
    {%- if 'n_period' in types %}{% do unions.append('n_period') %}{% endif %}
    {%- if 'unbounded' in types %}{% do unions.append('unbounded') %}{% endif %}
    {%- for type in unions %}
    select
        retention_definition,
        cohort_type,
        grain,
        cohort_start,
        breakdown_name,
        breakdown_value,
        cast('{{ type }}' as {{ dbt.type_string() }}) as retention_type,
        period_number,
        cast(null as {{ dbt.type_string() }}) as bracket_label,
        period_number as window_last_period_number,
        cohort_size,
        {{ 'n_period_users' if type == 'n_period' else 'unbounded_users' }} as retained_users

    from period_cells

    union all
    {%- endfor %}

    select
        {%- for column in cell_columns %}
        cohort_sizes.{{ column }},
        {%- endfor %}
        cast('bracket' as {{ dbt.type_string() }}) as retention_type,
        brackets.first_period_number as period_number,
        brackets.bracket_label,
        brackets.last_period_number as window_last_period_number,
        cohort_sizes.cohort_size,
        coalesce(bracket_counts.retained_users, 0) as retained_users

    from cohort_sizes
    inner join brackets
        on cohort_sizes.grain = brackets.grain
    left join bracket_counts
        on {{ equal_keys('cohort_sizes', 'bracket_counts', cell_keys) }}
        and brackets.first_period_number = bracket_counts.first_period_number
    where {{ 'true' if 'bracket' in types else 'false' }}

),

matured as (

    select
        cells.*,
        {{ period_end_by_grain_column('cells.grain', 'cells.cohort_start', 'cells.window_last_period_number') }}
            <= as_of.as_of_date as is_mature

    from cells
    cross join as_of

),

final as (

    select
        cast(retention_definition as {{ dbt.type_string() }}) as retention_definition,
        cast(cohort_type as {{ dbt.type_string() }}) as cohort_type,
        cast(grain as {{ dbt.type_string() }}) as grain,
        cast(cohort_start as date) as cohort_start,
        cast(breakdown_name as {{ dbt.type_string() }}) as breakdown_name,
        cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
        cast(retention_type as {{ dbt.type_string() }}) as retention_type,
        cast(period_number as integer) as period_number,
        cast(bracket_label as {{ dbt.type_string() }}) as bracket_label,
        cast(cohort_size as bigint) as cohort_size,
        cast(case when is_mature then retained_users end as bigint) as retained_users,
        cast(case when is_mature then retained_users * 1.0 / cohort_size end as double) as retention_rate,
        cast(case when is_mature then {{ wilson_ci_low('retained_users', 'cohort_size') }} end as double) as ci_low,
        cast(case when is_mature then {{ wilson_ci_high('retained_users', 'cohort_size') }} end as double) as ci_high,
        cast(is_mature as boolean) as is_mature

    from matured

)

select * from final
