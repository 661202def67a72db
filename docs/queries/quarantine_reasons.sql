-- Why rows were set aside, per feed and reason, with one example file and row to look at.
-- columns: feed, reason_code, rows_quarantined, example_file, example_row
-- may be empty: a clean load quarantines nothing.
select
    feed,
    reason_code,
    count(*) as rows_quarantined,
    min(source_file) as example_file,
    min(row_number) as example_row
from raw.raw_quarantine
group by 1, 2
order by 3 desc
