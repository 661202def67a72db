{#- Fails on every combination of `columns` that appears more than once (dbt_utils is not installable here). -#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences

from {{ model }}
group by {% for column in columns %}{{ loop.index }}{% if not loop.last %}, {% endif %}{% endfor %}
having count(*) > 1

{% endtest %}
