"""The HTTP layer: the Starlette app and its declarative route table (:mod:`.app`), API key
and JWT checks (:mod:`.auth`), body limits and how a route runs its handler
(:mod:`.endpoint`), Stream-shaped responses and errors (:mod:`.responses`), rate-limit
headers (:mod:`.rate_limit`) and serving uploads back (:mod:`.uploads`).

Only token checks live here; checks that need stored state (does it exist, who owns it)
are the handlers'.
"""
