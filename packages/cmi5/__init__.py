"""cmi5 on the LMS side: launching AUs from lesson pages, the fetch URL, satisfaction, the
staff API. The LRS side (sessions, tokens, statement rules) lives in ``lrs.cmi5``."""
