{#- Fails (one row) unless the model has exactly `rows` rows. -#}
{% test row_count(model, rows) %}

select count(*) as actual_rows
from {{ model }}
having count(*) <> {{ rows }}

{% endtest %}
