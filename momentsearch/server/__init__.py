"""The HTTP API and the web page (app.py: routes; media.py: files served by index id; web/: the page)."""
