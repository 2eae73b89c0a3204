from tests.matrix import Route

ROUTES = [
    Route("healthz", public=True),
]
