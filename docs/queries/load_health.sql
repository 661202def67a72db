-- Load health per feed: files, rows read, accepted, quarantined and duplicates, and whether it all reconciles.
-- columns: feed, files, rows_read, rows_accepted, rows_quarantined, rows_duplicate, reconciles
select
    feed,
    count(*) as files,
    sum(rows_read) as rows_read,
    sum(rows_accepted) as rows_accepted,
    sum(rows_quarantined) as rows_quarantined,
    sum(rows_duplicate) as rows_duplicate,
    bool_and(rows_read = rows_accepted + rows_quarantined + rows_duplicate) as reconciles
from raw.raw_load_audit
group by 1
order by 1
