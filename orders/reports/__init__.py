"""Reading for people: the home page's work queues, the charts' figures, the readable timeline
and the rows of exports. Selectors (functions that read), on the same floor as
``orders.selectors``; the pages render what these return."""
