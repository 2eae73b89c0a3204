from tests.matrix import OVERSIGHT, Route

ROUTES = [
    Route("audit:list", allowed=OVERSIGHT),
    Route("audit:export", allowed=OVERSIGHT),
]
