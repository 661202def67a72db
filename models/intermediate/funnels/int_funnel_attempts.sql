-- One row per funnel and user: the attempt that counts for the user (docs/funnels.md). Every step-1 occurrence
-- opens an attempt (ordered, strict), every occurrence of any step opens one (unordered); step_<k>_at is when the
-- attempt reached step k (NULL when it did not), furthest_step the last step reached. An attempt with an exclusion
-- event inside its window is voided and never counts; of the others that reached step 1, the furthest counts,
-- then the earliest. The model picks it itself so that the millions of attempts that never count (every
-- content_view opens one) are never written.
-- Set-based: ordered and strict funnels chain one equi-join per step over a "next occurrence" window function
-- (from step 3 on once per step-2 occurrence, not per attempt); unordered funnels use one window function per
-- step. No loop over users. Users are numbered once (for 100M events): every join and window keys on that bigint
-- instead of the 64-character user_key, joined back at the end.
{%- set max_steps = funnel_max_steps() %}
{%- set has_strict = funnels_have_mode('strict') %}
{%- set strict_names = [] %}
{%- for funnel in var('funnels') if funnel['mode'] == 'strict' %}{% do strict_names.append(funnel['name']) %}{% endfor %}
{%- set has_unordered = funnels_have_mode('unordered') %}
{#- The columns that identify an attempt and its window, in the order every attempt CTE selects them. #}
{%- set attempt_columns = ['funnel_name', 'user_number', 'held_value', 'attempt_started_at', 'window_ends_at'] %}
with

step_events as {{ not_materialized() }} (

    select * from {{ ref('int_funnel_step_events') }}

),

{%- if has_strict %}

    events as {{ not_materialized() }} (

        select * from {{ ref('stg_app__events') }}

    ),
{%- endif %}

definitions as (
    {{ funnel_definitions_sql() }}
),

user_numbers as (

    {{ numbered_users('step_events') }}

),

occurrences as (

    select
        step_events.funnel_name,
        step_events.step_number,
        user_numbers.user_number,
        step_events.held_value,
        step_events.occurred_at,
        definitions.funnel_mode,
        definitions.window_seconds,
        definitions.step_count

    from step_events
    inner join definitions
        on step_events.funnel_name = definitions.funnel_name
    inner join user_numbers
        on step_events.user_key = user_numbers.user_key
    where step_events.step_number between 1 and definitions.step_count

),

-- Ordered and strict: for each occurrence of step s, the first occurrence of step s + 1 strictly after it
-- (same user and held value). Ties sort targets (is_source = 0) first, so "following" means strictly later.
pairs as (

    select funnel_name, user_number, held_value, step_number as pair_number, occurred_at, 1 as is_source
    from occurrences
    where funnel_mode in ('ordered', 'strict') and step_number < step_count

    union all

    select funnel_name, user_number, held_value, step_number - 1 as pair_number, occurred_at, 0 as is_source
    from occurrences
    where funnel_mode in ('ordered', 'strict') and step_number > 1

),

next_occurrences as (

    select
        funnel_name,
        user_number,
        held_value,
        pair_number as step_number,
        occurred_at,
        is_source,
        min(case when is_source = 0 then occurred_at end) over (
            partition by funnel_name, user_number, held_value, pair_number
            order by occurred_at, is_source
            rows between 1 following and unbounded following
        ) as next_at

    from pairs

),

{%- if has_strict %}

-- Strict: how many distinct timestamps of the user's active events lie at or before / before a moment. Only
-- differences of two such counts at strict occurrences are used, so active events before the user's first strict
-- occurrence or after the last one change no difference and are left out.
    strict_spans as (

        select
            user_number,
            min(occurred_at) as first_at,
            max(occurred_at) as last_at

        from occurrences
        where funnel_mode = 'strict'
        group by 1

    ),

    strict_users as (

        select user_numbers.user_key, strict_spans.user_number, strict_spans.first_at, strict_spans.last_at
        from strict_spans
        inner join user_numbers
            on strict_spans.user_number = user_numbers.user_number

    ),

    timeline_points as (

        select strict_users.user_number, events.event_at as point_at, 1 as is_active
        from events
        inner join strict_users
            on events.user_key = strict_users.user_key
        where events.is_active_event
            and events.event_at >= strict_users.first_at
            and events.event_at <= strict_users.last_at

        union all

        select user_number, occurred_at as point_at, 0 as is_active
        from occurrences
        where funnel_mode = 'strict'

    ),

    timeline as (

        select
            user_number,
            point_at,
            max(is_active) as is_active

        from timeline_points
        group by 1, 2

    ),

    timeline_counts as (

        select
            user_number,
            point_at,
            sum(is_active) over (
                partition by user_number order by point_at rows between unbounded preceding and current row
            ) as active_through,
            sum(is_active) over (
                partition by user_number order by point_at rows between unbounded preceding and current row
            ) - is_active as active_before

        from timeline

    ),
{%- endif %}

-- The source occurrences with their next occurrence; events_between (active events strictly between the two) is
-- computed for strict funnels only, the only ones that read it.
next_steps as (

    select
        funnel_name,
        user_number,
        held_value,
        step_number,
        occurred_at,
        next_at,
        cast(null as bigint) as events_between

    from next_occurrences
    where is_source = 1
        and not ({{ in_list('funnel_name', strict_names) }})
    {%- if has_strict %}

        union all

        select
            next_occurrences.funnel_name,
            next_occurrences.user_number,
            next_occurrences.held_value,
            next_occurrences.step_number,
            next_occurrences.occurred_at,
            next_occurrences.next_at,
            next_counts.active_before - this_counts.active_through as events_between

        from next_occurrences
        left join timeline_counts as this_counts
            on next_occurrences.user_number = this_counts.user_number
                and next_occurrences.occurred_at = this_counts.point_at
        left join timeline_counts as next_counts
            on next_occurrences.user_number = next_counts.user_number
                and next_occurrences.next_at = next_counts.point_at
        where next_occurrences.is_source = 1
            and {{ in_list('next_occurrences.funnel_name', strict_names) }}
    {%- endif %}

),

-- One attempt per step-1 occurrence: occurrences are unique per funnel, step, user, held value and time (as
-- int_funnel_step_events is), so no distinct is needed here.
chain_1 as (

    select
        funnel_name,
        user_number,
        held_value,
        funnel_mode,
        occurred_at as attempt_started_at,
        {{ dbt.dateadd('second', 'window_seconds', 'occurred_at') }} as window_ends_at,
        occurred_at as step_1_at

    from occurrences
    where funnel_mode in ('ordered', 'strict') and step_number = 1

),
{%- if max_steps >= 2 %}

    chain_2 as (

        select
            chain_1.*,
            case
                when next_steps.next_at <= chain_1.window_ends_at
                    and (chain_1.funnel_mode <> 'strict' or next_steps.events_between = 0)
                    then next_steps.next_at
            end as step_2_at

        from chain_1
        left join next_steps
            on chain_1.funnel_name = next_steps.funnel_name
                and chain_1.user_number = next_steps.user_number
                and chain_1.held_value = next_steps.held_value
                and next_steps.step_number = 1
                and chain_1.step_1_at = next_steps.occurred_at

    ),
{%- endif %}
{%- if max_steps >= 3 %}

-- From step 2 on, an attempt's chain depends only on its step-2 occurrence: the next step 3 after it, the next
-- step 4 after that, and so on (strict: with no active event in between). Attempts that reach the same step-2
-- occurrence (every start between the step-2 occurrence before it and it) share that chain, so it is followed
-- once per step-2 occurrence (chain_group_k, without the window) and each attempt then keeps the steps up to its
-- own window end. The chain's times strictly increase, so a step inside the window has every earlier step inside.
    chain_group_2 as (

        select distinct
            funnel_name,
            user_number,
            held_value,
            funnel_mode,
            step_2_at

        from chain_2
        where step_2_at is not null

    ),
    {%- for k in range(3, max_steps + 1) %}

        chain_group_{{ k }} as (

            select
                chain_group_{{ k - 1 }}.*,
                case
                    when chain_group_{{ k - 1 }}.funnel_mode <> 'strict' or next_steps.events_between = 0
                        then next_steps.next_at
                end as step_{{ k }}_at

            from chain_group_{{ k - 1 }}
            left join next_steps
                on chain_group_{{ k - 1 }}.funnel_name = next_steps.funnel_name
                    and chain_group_{{ k - 1 }}.user_number = next_steps.user_number
                    and chain_group_{{ k - 1 }}.held_value = next_steps.held_value
                    and next_steps.step_number = {{ k - 1 }}
                    and chain_group_{{ k - 1 }}.step_{{ k - 1 }}_at = next_steps.occurred_at

        ),
    {%- endfor %}
{%- endif %}

ordered_attempts as (

    select
        {%- for column in attempt_columns %}
            chain_{{ [max_steps, 2] | min }}.{{ column }},
        {%- endfor %}
        {%- for k in range(1, [max_steps, 2] | min + 1) %}
            chain_{{ [max_steps, 2] | min }}.step_{{ k }}_at{% if not loop.last or max_steps >= 3 %},{% endif %}
        {%- endfor %}
        {%- for k in range(3, max_steps + 1) %}
            case
                when chain_group_{{ max_steps }}.step_{{ k }}_at <= chain_2.window_ends_at
                    then chain_group_{{ max_steps }}.step_{{ k }}_at
            end as step_{{ k }}_at{% if not loop.last %},{% endif %}
        {%- endfor %}

    from chain_{{ [max_steps, 2] | min }}
    {%- if max_steps >= 3 %}
    left join chain_group_{{ max_steps }}
        on chain_2.funnel_name = chain_group_{{ max_steps }}.funnel_name
            and chain_2.user_number = chain_group_{{ max_steps }}.user_number
            and chain_2.held_value = chain_group_{{ max_steps }}.held_value
            and chain_2.step_2_at = chain_group_{{ max_steps }}.step_2_at
    {%- endif %}

),

{%- if has_unordered %}

-- Unordered: every occurrence of any step opens an attempt; step j is done when it occurs within
-- [start, start + window]; step k is reached when steps 1..k are all done, at the latest of their times.
    unordered_firsts as (

        select distinct
            funnel_name,
            user_number,
            held_value,
            occurred_at as attempt_started_at,
            {{ dbt.dateadd('second', 'window_seconds', 'occurred_at') }} as window_ends_at,
            {%- for j in range(1, max_steps + 1) %}
                min(case when step_number = {{ j }} then occurred_at end) over (
                    partition by funnel_name, user_number, held_value
                    order by occurred_at
                    range between current row and unbounded following
                ) as first_{{ j }}_at{% if not loop.last %},{% endif %}
            {%- endfor %}

        from occurrences
        where funnel_mode = 'unordered'

    ),

    unordered_done as (

        select
            {{ attempt_columns | join(',\n            ') }},
            {%- for j in range(1, max_steps + 1) %}
                case when first_{{ j }}_at <= window_ends_at then first_{{ j }}_at end as done_{{ j }}_at
                {%- if not loop.last %},{% endif %}
            {%- endfor %}

        from unordered_firsts

    ),

    unordered_attempts as (

        select
            {{ attempt_columns | join(',\n            ') }},
            {%- for k in range(1, max_steps + 1) %}
                case
                    when {% for j in range(1, k + 1) %}done_{{ j }}_at is not null{% if not loop.last %} and {% endif %}{% endfor %}
                        then {% if k == 1 %}done_1_at{% else %}greatest({% for j in range(1, k + 1) %}done_{{ j }}_at{% if not loop.last %}, {% endif %}{% endfor %}){% endif %}
                end as step_{{ k }}_at{% if not loop.last %},{% endif %}
            {%- endfor %}

        from unordered_done

    ),
{%- endif %}

attempts as (

    select * from ordered_attempts
    {%- if has_unordered %}
        union all
        select * from unordered_attempts
    {%- endif %}

),

{%- if funnels_have_exclusions() %}

exclusions as (

    select
        step_events.funnel_name,
        user_numbers.user_number,
        step_events.occurred_at

    from step_events
    inner join user_numbers
        on step_events.user_key = user_numbers.user_key
    where step_events.step_number = 0

),

voided as (

    select distinct
        attempts.funnel_name,
        attempts.user_number,
        attempts.held_value,
        attempts.attempt_started_at

    from attempts
    inner join exclusions
        on attempts.funnel_name = exclusions.funnel_name
        and attempts.user_number = exclusions.user_number
        and exclusions.occurred_at >= attempts.attempt_started_at
        and exclusions.occurred_at <= attempts.window_ends_at

),
{%- endif %}

-- Furthest step: the highest step reached, else 0. Voided attempts are left out here: they never count.
scored_attempts as (

    select
        attempts.*,
        cast(
            coalesce(
                {%- for k in range(max_steps, 0, -1) %}
                    case when attempts.step_{{ k }}_at is not null then {{ k }} end,
                {%- endfor %}
                0
            ) as integer
        ) as furthest_step

    from attempts
    {%- if funnels_have_exclusions() %}
    left join voided
        on attempts.funnel_name = voided.funnel_name
        and attempts.user_number = voided.user_number
        and attempts.held_value = voided.held_value
        and attempts.attempt_started_at = voided.attempt_started_at
    where voided.user_number is null
    {%- endif %}

),

-- The attempt that counts for the user: of those that reached step 1, the furthest, then the earliest start, then
-- the earliest step 1, then the lowest held value (start and held value identify an attempt, so exactly one).
ranked_attempts as (

    select
        scored_attempts.*,
        row_number() over (
            partition by scored_attempts.funnel_name, scored_attempts.user_number
            order by
                scored_attempts.furthest_step desc, scored_attempts.attempt_started_at, scored_attempts.step_1_at,
                scored_attempts.held_value
        ) as attempt_rank

    from scored_attempts
    where scored_attempts.furthest_step >= 1

),

final as (

    select
        ranked_attempts.funnel_name,
        user_numbers.user_key,
        ranked_attempts.held_value,
        ranked_attempts.attempt_started_at,
        ranked_attempts.window_ends_at,
        {%- for k in range(1, max_steps + 1) %}
            ranked_attempts.step_{{ k }}_at,
        {%- endfor %}
        ranked_attempts.furthest_step

    from ranked_attempts
    inner join user_numbers
        on ranked_attempts.user_number = user_numbers.user_number
    where ranked_attempts.attempt_rank = 1

)

select * from final
