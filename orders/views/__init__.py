"""The pages and htmx fragments of sales staff (lists, records) and the catalog."""
