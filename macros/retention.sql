{#- Helpers of the cohort retention models (var retention_definitions; docs/metric_definitions.md#conventions and
    docs/metric_definitions.md#retention). -#}

{#- SQL condition on stg_app__events for an event spec of a retention definition: `signup` (never an event),
    `active` (every non-passive event), the name of an event-set var, or a list of event names.
    Passive events never count, whatever the spec. -#}
{% macro retention_event_condition(spec) -%}
    {%- if spec == 'signup' -%}
        false
    {%- elif spec == 'active' -%}
        is_active_event
    {%- elif spec is string -%}
        (is_active_event and {{ in_event_set('event_name', spec) }})
    {%- elif spec | length == 0 -%}
        false
    {%- else -%}
        (is_active_event and event_name in ({% for name in spec %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor %}))
    {%- endif -%}
{%- endmacro %}

{#- First day of the calendar period (grain column: day, week = ISO week from Monday, month) holding a date. -#}
{% macro retention_period_start(grain_column, date_column) -%}
    case {{ grain_column }}
        when 'day' then cast({{ date_column }} as date)
        when 'week' then cast({{ dbt.date_trunc('week', date_column) }} as date)
        when 'month' then cast({{ dbt.date_trunc('month', date_column) }} as date)
    end
{%- endmacro %}

{#- Whole periods between two period starts of the same grain. Weeks: a day difference divided by 7 (both are
    Mondays), because dbt.datediff counts Sunday boundaries for weeks (and spans differ between engines). -#}
{% macro retention_period_number(grain_column, from_start, to_start) -%}
    case {{ grain_column }}
        when 'day' then cast({{ dbt.datediff(from_start, to_start, 'day') }} as integer)
        when 'week' then cast(({{ dbt.datediff(from_start, to_start, 'day') }}) / 7 as integer)
        when 'month' then cast({{ dbt.datediff(from_start, to_start, 'month') }} as integer)
    end
{%- endmacro %}

{#- Last day of period number `n` after the period starting at `start_column`, for a grain column. -#}
{% macro retention_period_end(grain_column, start_column, n) -%}
    cast({{ dbt.dateadd('day', -1,
        "case " ~ grain_column
        ~ " when 'day' then " ~ dbt.dateadd('day', '(' ~ n ~ ') + 1', start_column)
        ~ " when 'week' then " ~ dbt.dateadd('day', '7 * ((' ~ n ~ ') + 1)', start_column)
        ~ " when 'month' then " ~ dbt.dateadd('month', '(' ~ n ~ ') + 1', start_column)
        ~ " end") }} as date)
{%- endmacro %}

{#- Grouping sets for the `all` row and one row per breakdown (columns breakdown_1 .. breakdown_n), and the
    breakdown_name / breakdown_value pair they give. One aggregation instead of one copy of the rows per breakdown. -#}
{% macro breakdown_grouping_sets(keys, breakdowns) -%}
    grouping sets (
        ({{ keys }})
        {%- for breakdown in breakdowns %},
        ({{ keys }}, breakdown_{{ loop.index }})
        {%- endfor %}
    )
{%- endmacro %}

{% macro breakdown_name_value(breakdowns) -%}
    cast(
        {%- if breakdowns %}
        case
            {%- for breakdown in breakdowns %}
            when grouping(breakdown_{{ loop.index }}) = 0 then '{{ breakdown }}'
            {%- endfor %}
            else 'all'
        end
        {%- else %} 'all'
        {%- endif %} as {{ dbt.type_string() }}
    ) as breakdown_name,
    cast(
        coalesce({% for breakdown in breakdowns %}breakdown_{{ loop.index }}, {% endfor %}'all')
        as {{ dbt.type_string() }}
    ) as breakdown_value
{%- endmacro %}
