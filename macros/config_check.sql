{#- Validation of the project's vars (dbt_project.yml, or --vars), run before every dbt run, build, seed or test
    (on-run-start) and on its own with `dbt run-operation config_check`. Pure Jinja: the same on every engine.
    The first bad value stops the run with one line naming the var (list items by position from 0) and the value. -#}

{% macro config_check() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set grains = ['day', 'week', 'month'] -%}

    {#- Reporting and identity -#}
    {%- do _config_check_string('reporting_timezone', var('reporting_timezone')) -%}
    {%- do _config_check_string('id_salt', var('id_salt')) -%}
    {%- do _config_check_string('default_currency', var('default_currency')) -%}
    {%- if var('as_of_date') is not none -%}{%- do _config_check_date('as_of_date', var('as_of_date')) -%}{%- endif -%}
    {%- for name in ['passive_events', 'interaction_events', 'creation_events'] -%}
        {%- do _config_check_names(name, var(name)) -%}
    {%- endfor -%}
    {%- set regular_use = var('regular_use') -%}
    {%- do _config_check_keys('regular_use', regular_use, ['interactions', 'days']) -%}
    {%- do _config_check_integer('regular_use.interactions', regular_use.get('interactions'), 1) -%}
    {%- do _config_check_integer('regular_use.days', regular_use.get('days'), 1) -%}
    {%- set grain_lists = var('grains') -%}
    {%- set grain_keys = ['metrics', 'funnels', 'segment_history', 'lifecycle', 'recall'] -%}
    {%- do _config_check_keys('grains', grain_lists, grain_keys) -%}
    {%- for key in grain_keys -%}
        {%- do _config_check_grains('grains.' ~ key, grain_lists[key], key != 'funnels') -%}
    {%- endfor -%}
    {%- set age_groups = var('age_groups') -%}
    {%- do _config_check_list('age_groups', age_groups) -%}
    {%- for group in age_groups -%}
        {%- set path = 'age_groups[' ~ loop.index0 ~ ']' -%}
        {%- if group is string or group is mapping or group is not iterable or group | length != 3 -%}
            {%- do _config_check_fail(path, group, 'a list [name, first year, last year]') -%}
        {%- endif -%}
        {%- do _config_check_string(path ~ '[0]', group[0]) -%}
        {%- do _config_check_integer(path ~ '[1]', group[1], 0) -%}
        {%- do _config_check_integer(path ~ '[2]', group[2], group[1]) -%}
    {%- endfor -%}

    {#- Loading -#}
    {%- do _config_check_string('order_event_name', var('order_event_name')) -%}

    {#- Retention -#}
    {%- set max_periods = var('retention_max_periods') -%}
    {%- do _config_check_mapping('retention_max_periods', max_periods, true) -%}
    {%- for grain, periods in max_periods.items() -%}
        {%- do _config_check_one_of('retention_max_periods key', grain, grains) -%}
        {%- do _config_check_integer('retention_max_periods.' ~ grain, periods, 1) -%}
    {%- endfor -%}
    {%- set definitions = var('retention_definitions') -%}
    {%- do _config_check_list('retention_definitions', definitions, true) -%}
    {%- set definition_names = [] -%}
    {%- for definition in definitions -%}
        {%- set path = 'retention_definitions[' ~ loop.index0 ~ ']' -%}
        {%- do _config_check_keys(path, definition, ['name', 'cohort_type', 'start_events', 'return_events']) -%}
        {%- do _config_check_string(path ~ '.name', definition.get('name')) -%}
        {%- if definition['name'] in definition_names -%}
            {%- do _config_check_fail(path ~ '.name', definition['name'], 'a name no other definition has') -%}
        {%- endif -%}
        {%- do definition_names.append(definition['name']) -%}
        {%- do _config_check_one_of(path ~ '.cohort_type', definition.get('cohort_type'), ['first_time', 'recurring']) -%}
        {%- do _config_check_event_spec(path ~ '.start_events', definition.get('start_events'), true) -%}
        {%- do _config_check_event_spec(path ~ '.return_events', definition.get('return_events'), false) -%}
    {%- endfor -%}
    {%- set types = var('retention_types') -%}
    {%- do _config_check_list('retention_types', types, true) -%}
    {%- for type in types -%}
        {%- do _config_check_one_of('retention_types[' ~ loop.index0 ~ ']', type, ['n_period', 'unbounded', 'bracket']) -%}
    {%- endfor -%}
    {%- set brackets = var('retention_brackets') -%}
    {%- do _config_check_mapping('retention_brackets', brackets) -%}
    {%- for grain, grain_brackets in brackets.items() -%}
        {%- do _config_check_one_of('retention_brackets key', grain, grains) -%}
        {%- do _config_check_list('retention_brackets.' ~ grain, grain_brackets) -%}
        {%- for bracket in grain_brackets -%}
            {%- set path = 'retention_brackets.' ~ grain ~ '[' ~ loop.index0 ~ ']' -%}
            {%- if bracket is string or bracket is mapping or bracket is not iterable or bracket | length != 2 -%}
                {%- do _config_check_fail(path, bracket, 'a list [first period, last period]') -%}
            {%- endif -%}
            {%- do _config_check_integer(path ~ '[0]', bracket[0], 0) -%}
            {%- do _config_check_integer(path ~ '[1]', bracket[1], bracket[0]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do _config_check_names('retention_breakdowns', var('retention_breakdowns')) -%}
    {%- do _config_check_integers('retention_summary_days', var('retention_summary_days'), 0) -%}

    {#- LTV -#}
    {%- do _config_check_integers('ltv_days', var('ltv_days'), 0, true) -%}
    {%- do _config_check_names('ltv_breakdowns', var('ltv_breakdowns')) -%}
    {%- do _config_check_integers('ltv_horizons_days', var('ltv_horizons_days'), 0, true) -%}
    {%- for days in var('ltv_horizons_days') -%}
        {%- if days not in var('ltv_days') -%}
            {%- do _config_check_fail('ltv_horizons_days[' ~ loop.index0 ~ ']', days,
                'one of ltv_days ' ~ var('ltv_days') | join(', ')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do _config_check_integer('ltv_to_cac_horizon_days', var('ltv_to_cac_horizon_days'), 0) -%}
    {%- if var('ltv_to_cac_horizon_days') not in var('ltv_horizons_days') -%}
        {%- do _config_check_fail('ltv_to_cac_horizon_days', var('ltv_to_cac_horizon_days'),
            'one of ltv_horizons_days ' ~ var('ltv_horizons_days') | join(', ')) -%}
    {%- endif -%}
    {%- do _config_check_integer('payback_max_days', var('payback_max_days'), 1) -%}

    {#- Funnels -#}
    {%- do _config_check_names('milestone_recommendation_events', var('milestone_recommendation_events'), true) -%}
    {%- set topics = var('milestone_topic_follows') -%}
    {%- do _config_check_keys('milestone_topic_follows', topics, ['event', 'count']) -%}
    {%- do _config_check_string('milestone_topic_follows.event', topics.get('event')) -%}
    {%- do _config_check_integer('milestone_topic_follows.count', topics.get('count'), 1) -%}
    {%- do _config_check_names('funnel_breakdowns', var('funnel_breakdowns')) -%}
    {%- set milestones = ['signed_up', 'first_interaction', 'regular_participation', 'first_payment', 'repurchase',
        'became_creator', 'first_recommendation', 'followed_three_topics'] -%}
    {%- set funnels = var('funnels') -%}
    {%- do _config_check_list('funnels', funnels, true) -%}
    {%- set funnel_names = [] -%}
    {%- for funnel in funnels -%}
        {%- set path = 'funnels[' ~ loop.index0 ~ ']' -%}
        {%- do _config_check_keys(path, funnel, ['name', 'mode', 'window_seconds', 'steps'],
            ['exclusions', 'hold_constant']) -%}
        {%- do _config_check_string(path ~ '.name', funnel['name']) -%}
        {%- if funnel['name'] in funnel_names -%}
            {%- do _config_check_fail(path ~ '.name', funnel['name'], 'a name no other funnel has') -%}
        {%- endif -%}
        {%- do funnel_names.append(funnel['name']) -%}
        {%- do _config_check_one_of(path ~ '.mode', funnel['mode'], ['ordered', 'strict', 'unordered']) -%}
        {%- do _config_check_integer(path ~ '.window_seconds', funnel['window_seconds'], 1) -%}
        {%- if 'exclusions' in funnel -%}
            {%- do _config_check_names(path ~ '.exclusions', funnel['exclusions']) -%}
        {%- endif -%}
        {%- if 'hold_constant' in funnel -%}
            {%- do _config_check_string(path ~ '.hold_constant', funnel['hold_constant']) -%}
        {%- endif -%}
        {%- do _config_check_list(path ~ '.steps', funnel['steps'], true) -%}
        {%- for step in funnel['steps'] -%}
            {%- set step_path = path ~ '.steps[' ~ loop.index0 ~ ']' -%}
            {%- do _config_check_keys(step_path, step, ['name'], ['events', 'milestones', 'where']) -%}
            {%- do _config_check_string(step_path ~ '.name', step['name']) -%}
            {%- if not step.get('events') and not step.get('milestones') -%}
                {%- do _config_check_fail(step_path, step, 'a step with events and/or milestones') -%}
            {%- endif -%}
            {%- if 'events' in step -%}{%- do _config_check_names(step_path ~ '.events', step['events']) -%}{%- endif -%}
            {%- if 'milestones' in step -%}
                {%- do _config_check_list(step_path ~ '.milestones', step['milestones']) -%}
                {%- for milestone in step['milestones'] -%}
                    {%- do _config_check_one_of(step_path ~ '.milestones[' ~ loop.index0 ~ ']', milestone, milestones) -%}
                {%- endfor -%}
            {%- endif -%}
            {%- if 'where' in step -%}
                {%- do _config_check_keys(step_path ~ '.where', step['where'], ['field', 'equals']) -%}
                {%- do _config_check_string(step_path ~ '.where.field', step['where']['field']) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {#- Segments -#}
    {%- for name in ['activity_silent_after_days', 'tenure_new_max_days', 'engagement_window_days',
        'engagement_active_min_interactions', 'engagement_koc_min_creations', 'segment_spend_window_days',
        'at_risk_window_days', 'at_risk_min_baseline_active_days', 'at_risk_min_baseline_interactions',
        'at_risk_regular_min_active_days'] -%}
        {%- do _config_check_integer(name, var(name), 1) -%}
    {%- endfor -%}
    {%- do _config_check_integer('activity_churned_after_days', var('activity_churned_after_days'),
        var('activity_silent_after_days') + 1, 'activity_silent_after_days + 1') -%}
    {%- do _config_check_integer('tenure_growth_max_days', var('tenure_growth_max_days'),
        var('tenure_new_max_days') + 1, 'tenure_new_max_days + 1') -%}
    {%- do _config_check_share('engagement_kol_creator_share', var('engagement_kol_creator_share')) -%}
    {%- do _config_check_share('at_risk_drop_share', var('at_risk_drop_share')) -%}
    {%- do _config_check_number('value_high_spend_threshold', var('value_high_spend_threshold'), 0) -%}
    {%- set dimensions = var('segment_dimensions') -%}
    {%- do _config_check_list('segment_dimensions', dimensions, true) -%}
    {%- for dimension in dimensions -%}
        {%- do _config_check_one_of('segment_dimensions[' ~ loop.index0 ~ ']', dimension,
            ['tenure_stage', 'activity_state', 'engagement_tier', 'value_tier', 'rfm_segment']) -%}
    {%- endfor -%}

    {#- Metrics -#}
    {%- do _config_check_names('core_feature_events', var('core_feature_events'), true) -%}
    {%- do _config_check_integer('core_feature_window_days', var('core_feature_window_days'), 1) -%}
    {%- do _config_check_integer('renewal_grace_days', var('renewal_grace_days'), 0) -%}
    {%- do _config_check_integer('kpi_target_stage', var('kpi_target_stage'), 1) -%}
    {%- do _config_check_date('time_spine_start', var('time_spine_start')) -%}
    {%- do _config_check_date('time_spine_end', var('time_spine_end')) -%}
    {%- if var('time_spine_end') | string <= var('time_spine_start') | string -%}
        {%- do _config_check_fail('time_spine_end', var('time_spine_end'), 'a date after time_spine_start') -%}
    {%- endif -%}

    {#- Experiments -#}
    {%- do _config_check_string('experiment_control_variant', var('experiment_control_variant')) -%}
    {%- set splits = var('experiment_splits') -%}
    {%- do _config_check_mapping('experiment_splits', splits) -%}
    {%- for experiment, split in splits.items() -%}
        {%- do _config_check_mapping('experiment_splits.' ~ experiment, split, true) -%}
        {%- for variant, weight in split.items() -%}
            {%- do _config_check_number('experiment_splits.' ~ experiment ~ '.' ~ variant, weight, 0, true) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do _config_check_integers('experiment_retention_days', var('experiment_retention_days'), 0) -%}
    {%- do _config_check_integer('experiment_metric_window_days', var('experiment_metric_window_days'), 1) -%}
    {%- do _config_check_share('experiment_srm_p_value', var('experiment_srm_p_value')) -%}

    {#- Engines -#}
    {%- do _config_check_string('raw_parquet_dir', var('raw_parquet_dir')) -%}
    {%- do _config_check_names('raw_parquet_tables', var('raw_parquet_tables'), true) -%}
    {%- do _config_check_one_of('spark_table_format', var('spark_table_format'), ['parquet', 'delta', 'iceberg', 'hudi']) -%}
    {{ return('') }}
{%- endmacro %}

{#- Stop with one line: `config_check: var <path> is <value>; expected <expected>`. -#}
{% macro _config_check_fail(path, value, expected) -%}
    {%- if value is none -%}{%- set shown = 'missing' -%}
    {%- elif value is string -%}{%- set shown = "'" ~ value ~ "'" -%}
    {%- elif value is boolean -%}{%- set shown = 'true' if value else 'false' -%}
    {%- else -%}{%- set shown = value | string -%}
    {%- endif -%}
    {%- do exceptions.raise_compiler_error('config_check: var ' ~ path ~ ' is ' ~ shown ~ '; expected ' ~ expected) -%}
{%- endmacro %}

{% macro _config_check_string(path, value) -%}
    {%- if value is not string or value | trim == '' -%}{%- do _config_check_fail(path, value, 'a non-empty string') -%}{%- endif -%}
{%- endmacro %}

{% macro _config_check_one_of(path, value, choices) -%}
    {%- if value is not string or value not in choices -%}
        {%- do _config_check_fail(path, value, 'one of ' ~ choices | join(', ')) -%}
    {%- endif -%}
{%- endmacro %}

{% macro _config_check_integer(path, value, minimum, minimum_name=none) -%}
    {%- if value is not integer or value < minimum -%}
        {%- do _config_check_fail(path, value, 'an integer >= ' ~ (minimum_name or minimum)) -%}
    {%- endif -%}
{%- endmacro %}

{% macro _config_check_number(path, value, minimum, exclusive=false) -%}
    {%- if value is not number or value is boolean or value < minimum or (exclusive and value == minimum) -%}
        {%- do _config_check_fail(path, value, 'a number ' ~ ('>' if exclusive else '>=') ~ ' ' ~ minimum) -%}
    {%- endif -%}
{%- endmacro %}

{% macro _config_check_share(path, value) -%}
    {%- if value is not number or value is boolean or value < 0 or value > 1 -%}
        {%- do _config_check_fail(path, value, 'a share between 0 and 1') -%}
    {%- endif -%}
{%- endmacro %}

{% macro _config_check_list(path, value, non_empty=false) -%}
    {%- if value is string or value is mapping or value is not iterable -%}
        {%- do _config_check_fail(path, value, 'a list') -%}
    {%- elif non_empty and value | length == 0 -%}
        {%- do _config_check_fail(path, value, 'a non-empty list') -%}
    {%- endif -%}
{%- endmacro %}

{% macro _config_check_mapping(path, value, non_empty=false) -%}
    {%- if value is not mapping or (non_empty and value | length == 0) -%}
        {%- do _config_check_fail(path, value, 'a non-empty mapping' if non_empty else 'a mapping') -%}
    {%- endif -%}
{%- endmacro %}

{#- A mapping with every required key, and no key outside required and optional (a misspelt key would be ignored). -#}
{% macro _config_check_keys(path, value, required, optional=[]) -%}
    {%- do _config_check_mapping(path, value) -%}
    {%- for key in required if key not in value -%}
        {%- do _config_check_fail(path ~ '.' ~ key, none, 'a value (required)') -%}
    {%- endfor -%}
    {%- for key in value if key not in required and key not in optional -%}
        {%- do _config_check_fail(path ~ '.' ~ key, value[key], 'no such key (keys: ' ~ (required + optional) | join(', ') ~ ')') -%}
    {%- endfor -%}
{%- endmacro %}

{#- A list of non-empty strings (event names, columns, tables). -#}
{% macro _config_check_names(path, value, non_empty=false) -%}
    {%- do _config_check_list(path, value, non_empty) -%}
    {%- for item in value -%}{%- do _config_check_string(path ~ '[' ~ loop.index0 ~ ']', item) -%}{%- endfor -%}
{%- endmacro %}

{% macro _config_check_integers(path, value, minimum, non_empty=false) -%}
    {%- do _config_check_list(path, value, non_empty) -%}
    {%- for item in value -%}{%- do _config_check_integer(path ~ '[' ~ loop.index0 ~ ']', item, minimum) -%}{%- endfor -%}
{%- endmacro %}

{% macro _config_check_grains(path, value, non_empty) -%}
    {%- do _config_check_list(path, value, non_empty) -%}
    {%- for item in value -%}
        {%- do _config_check_one_of(path ~ '[' ~ loop.index0 ~ ']', item, ['day', 'week', 'month']) -%}
    {%- endfor -%}
{%- endmacro %}

{#- A calendar date written YYYY-MM-DD (a quoted string, or a date YAML read unquoted). -#}
{% macro _config_check_date(path, value) -%}
    {%- set text = value | string -%}
    {%- set match = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', text) if value is not number else none -%}
    {%- if match -%}
        {%- set year = match.group(1) | int -%}
        {%- set month = match.group(2) | int -%}
        {%- set day = match.group(3) | int -%}
        {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
        {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {%- endif -%}
    {%- if not match or month < 1 or month > 12 or day < 1 or day > month_days[month - 1] -%}
        {%- do _config_check_fail(path, value, 'a date YYYY-MM-DD') -%}
    {%- endif -%}
{%- endmacro %}

{#- An event spec of a retention definition: signup (start only), active, the name of an event-set var (a list of
    event names) or a list of event names. -#}
{% macro _config_check_event_spec(path, value, allow_signup) -%}
    {%- set keywords = ['signup', 'active'] if allow_signup else ['active'] -%}
    {%- set expected = ('signup, ' if allow_signup else '') ~ 'active, a list of event names or the name of an event-set var' -%}
    {%- if value is string -%}
        {%- if value not in keywords -%}
            {%- set events = var(value, none) -%}
            {%- if events is none or events is string or events is mapping or events is not iterable
                or value in ['signup', 'active'] or events | reject('string') | list | length > 0 -%}
                {%- do _config_check_fail(path, value, expected) -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif value is mapping or value is not iterable -%}
        {%- do _config_check_fail(path, value, expected) -%}
    {%- else -%}
        {%- do _config_check_names(path, value) -%}
    {%- endif -%}
{%- endmacro %}
