{#- Fails on every row whose text column is empty or only spaces (NULLs pass; test them with not_null). -#}
{% test not_blank(model, column_name) %}

select {{ column_name }}
from {{ model }}
where trim({{ column_name }}) = ''

{% endtest %}
