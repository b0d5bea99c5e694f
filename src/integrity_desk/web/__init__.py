"""The web console: server-rendered pages (Jinja2 + htmx) over the same services as the API.

Layout: one sub-package per domain slice, named after the slice's top-level package under
``integrity_desk/`` (``web/cases`` for ``integrity_desk.cases``, ``web/decisions``, ``web/dsa``,
``web/wellbeing`` …), plus the console's shell at this top level: ``app`` (mounts every router,
in an order that matters for path matching), ``deps``, ``errors``, ``forms``, ``http``,
``i18n``, ``render``, and ``templates/`` and ``static/``.

One naming rule for every module in a slice's sub-package:

- ``routes.py`` holds the slice's pages: its ``APIRouter`` (``router``) and the endpoints;
- ``views.py`` builds what those pages' templates show from the services' objects, and reads
  their forms, with no queries;
- when a slice has a second family of pages, too big to share a module with the first, that
  family is ``<family>_routes.py`` + ``<family>_views.py`` (either may be absent): the case
  page is ``web/cases/routes.py`` + ``views.py``, the case list ``list_routes.py`` +
  ``list_views.py``, My work ``web/routing/work_routes.py`` beside the queue settings.

Nothing else goes into a slice's sub-package. A page belongs to the slice whose services it
calls for its own work (the pages of ``integrity_desk.forms`` live in ``web/intake`` because
``web/forms.py`` is the shell's form reader). A web module never imports a slice's HTTP API
(``<slice>.api`` or ``<slice>.*_api``): request and response models come from
``<slice>/schemas.py``; ``api.deps`` (SessionDep) and ``api.paging`` are the application's
shared plumbing. tests/test_layout.py holds the rule.
"""
