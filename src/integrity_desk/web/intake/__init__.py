"""How requests come in through the console: the public notice and appeal forms (routes) and
the internal request forms with My requests (request_routes), over integrity_desk.forms."""
