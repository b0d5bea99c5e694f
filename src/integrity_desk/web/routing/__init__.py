"""Queue settings (routes) and My work, the landing page with "claim next" (work_routes)."""
