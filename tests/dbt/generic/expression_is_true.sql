{#- Fails on every row where the boolean SQL expression is false (an invariant across columns; may sit on a column). -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
