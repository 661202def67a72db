{#- Fails on every row for which `expression` (a boolean SQL expression over the model's columns) is not true. -#}
{% test rows_satisfy(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
