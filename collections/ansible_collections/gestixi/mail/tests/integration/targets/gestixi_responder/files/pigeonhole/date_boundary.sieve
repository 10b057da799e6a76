# The comparison the rendered scripts use, on the Date: header instead of the arrival time:
# same date-part extraction ("iso8601" with :zone "+0000") and the same default comparator.
require ["date", "relational", "fileinto"];
if date :zone "+0000" :value "ge" "date" "iso8601" "2026-03-29T22:00:00" { fileinto "GE"; }
if date :zone "+0000" :value "lt" "date" "iso8601" "2026-03-29T22:00:00" { fileinto "LT"; }
