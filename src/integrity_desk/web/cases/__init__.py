"""The case page (routes, views), the case list with its bulk actions (list_routes,
list_views), and the requests that joined a case as its page shows them (request_views)."""
