{#- Funnel helpers (docs/funnels.md). The funnel definitions live in var `funnels` (dbt_project.yml). -#}

{#- A string value of a JSON object text column, per engine. -#}
{% macro json_property(column, key) -%}
    {{ return(adapter.dispatch('json_property', 'retention_warehouse')(column, key)) }}
{%- endmacro %}

{% macro default__json_property(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro spark__json_property(column, key) -%}
    get_json_object({{ column }}, '$.{{ key }}')
{%- endmacro %}

{#- An event field named in a funnel definition: `properties.<key>` or a column of stg_app__events. -#}
{% macro funnel_field(name, relation='events') -%}
    {%- if name.startswith('properties.') -%}
        {{ json_property(relation ~ '.properties', name[11:]) }}
    {%- else -%}
        cast({{ relation }}.{{ name }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- Continuous percentile of a group, per engine (percentile_cont on DuckDB, percentile on Spark). -#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'retention_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- The largest number of steps of any configured funnel. -#}
{% macro funnel_max_steps() -%}
    {%- set counts = [] -%}
    {%- for funnel in var('funnels') -%}{%- do counts.append(funnel['steps'] | length) -%}{%- endfor -%}
    {{ return(counts | max) }}
{%- endmacro %}

{#- True when any configured funnel has the given mode / exclusions. -#}
{% macro funnels_have_mode(mode) -%}
    {%- set found = [] -%}
    {%- for funnel in var('funnels') if funnel['mode'] == mode -%}{%- do found.append(1) -%}{%- endfor -%}
    {{ return(found | length > 0) }}
{%- endmacro %}

{% macro funnels_have_exclusions() -%}
    {%- set found = [] -%}
    {%- for funnel in var('funnels') if funnel.get('exclusions') -%}{%- do found.append(1) -%}{%- endfor -%}
    {{ return(found | length > 0) }}
{%- endmacro %}

{#- One row per funnel: funnel_name, funnel_mode, window_seconds, step_count (a literal select, no table). -#}
{% macro funnel_definitions_sql() -%}
    {%- for funnel in var('funnels') %}
    select
        cast('{{ funnel["name"] }}' as {{ dbt.type_string() }}) as funnel_name,
        cast('{{ funnel["mode"] }}' as {{ dbt.type_string() }}) as funnel_mode,
        cast({{ funnel["window_seconds"] }} as bigint) as window_seconds,
        cast({{ funnel["steps"] | length }} as integer) as step_count
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- One row per funnel step: funnel_name, step_number, step_name. -#}
{% macro funnel_steps_sql() -%}
    {%- for funnel in var('funnels') %}
    {%- set funnel_loop = loop %}
    {%- for step in funnel['steps'] %}
    select
        cast('{{ funnel["name"] }}' as {{ dbt.type_string() }}) as funnel_name,
        cast({{ loop.index }} as integer) as step_number,
        cast('{{ step["name"] }}' as {{ dbt.type_string() }}) as step_name
    {% if not (funnel_loop.last and loop.last) %}union all{% endif %}
    {%- endfor %}
    {%- endfor %}
{%- endmacro %}

{#- What a funnel step waits for, in words (fct_definition_coverage). -#}
{% macro step_waits_for(step) -%}
    {%- set parts = [] -%}
    {%- if step.get('events') -%}
        {%- set where = step.get('where') -%}
        {%- do parts.append('events: ' ~ (step['events'] | join(', '))
            ~ ((' where ' ~ where['field'] ~ ' = ' ~ where['equals']) if where else '')) -%}
    {%- endif -%}
    {%- if step.get('milestones') -%}
        {%- do parts.append('milestones: ' ~ (step['milestones'] | join(', '))) -%}
    {%- endif -%}
    {{ return(parts | join('; ')) }}
{%- endmacro %}

{#- One row per funnel step (or exclusion) and the name that triggers it, for a join with the events (source
    'events': event names, exclusions as step 0) or with int_users_milestones (source 'milestones'): funnel_name,
    funnel_number (the funnel's position in var funnels, from 1), step_number, trigger_name, hold_field, where_field,
    where_equals. hold_field is the field whose value is the
    held value (a column or properties.<key>), '' when the funnel holds nothing (held value ''), NULL when the row
    carries no held value (exclusions; milestones of a funnel that holds a field). where_field and where_equals
    are the step's filter (NULL when none). A last row with a NULL trigger_name matches nothing, so that the
    select is never empty. -#}
{% macro funnel_triggers_sql(source) -%}
    {%- for funnel in var('funnels') %}
        {%- set funnel_number = loop.index %}
        {%- set hold = funnel.get('hold_constant') %}
        {%- for step in funnel['steps'] %}
            {%- set step_number = loop.index %}
            {%- set where = step.get('where') if source == 'events' else none %}
            {%- for name in step.get(source) or [] %}
    select
        cast({{ sql_string(funnel['name']) }} as {{ dbt.type_string() }}) as funnel_name,
        cast({{ funnel_number }} as integer) as funnel_number,
        cast({{ step_number }} as integer) as step_number,
        cast({{ sql_string(name) }} as {{ dbt.type_string() }}) as trigger_name,
        {%- if source == 'events' and hold %}
        cast({{ sql_string(hold) }} as {{ dbt.type_string() }}) as hold_field,
        {%- elif hold %}
        cast(null as {{ dbt.type_string() }}) as hold_field,
        {%- else %}
        cast('' as {{ dbt.type_string() }}) as hold_field,
        {%- endif %}
        cast({{ sql_string(where['field']) if where else 'null' }} as {{ dbt.type_string() }}) as where_field,
        cast({{ sql_string(where['equals']) if where else 'null' }} as {{ dbt.type_string() }}) as where_equals
    union all
            {%- endfor %}
        {%- endfor %}
        {%- if source == 'events' %}
            {%- for name in funnel.get('exclusions') or [] %}
    select
        cast({{ sql_string(funnel['name']) }} as {{ dbt.type_string() }}) as funnel_name,
        cast({{ funnel_number }} as integer) as funnel_number,
        cast(0 as integer) as step_number,
        cast({{ sql_string(name) }} as {{ dbt.type_string() }}) as trigger_name,
        cast(null as {{ dbt.type_string() }}) as hold_field,
        cast(null as {{ dbt.type_string() }}) as where_field,
        cast(null as {{ dbt.type_string() }}) as where_equals
    union all
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as funnel_name,
        cast(null as integer) as funnel_number,
        cast(0 as integer) as step_number,
        cast(null as {{ dbt.type_string() }}) as trigger_name,
        cast(null as {{ dbt.type_string() }}) as hold_field,
        cast(null as {{ dbt.type_string() }}) as where_field,
        cast(null as {{ dbt.type_string() }}) as where_equals
{%- endmacro %}
