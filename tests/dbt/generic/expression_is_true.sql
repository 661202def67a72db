{#- Fails on every row where the boolean SQL expression is false (an invariant across columns). -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
