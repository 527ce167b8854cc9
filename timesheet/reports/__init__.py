"""Reports: periods, aggregation, rendering (text, CSV, PNG) and the timesheets built from them."""
