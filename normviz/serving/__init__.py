"""Serving the lessons from one process: no Streamlit, no user data.

Modules
-------
fairshare    the training-time budget each session gets per tick, and the lock that takes turns
live_feed    the lab's live view payloads: only what changed since the frame's last one
live_stream  the lab's live sessions, their registry and the worker thread that trains them
sse          the live stream's route, ``/_nv/live/{token}`` (Server-Sent Events)
media        the image lesson's grid pictures by content hash, ``/_nv/media/{name}``
nodelay      every accepted connection sends small writes at once (no Nagle delay)
static_files Streamlit's built frontend files, answered from memory, ``{base}/static/...``
warm         the imports and first uses made before the server serves
"""


def route_paths(path: str, base_url: str = "") -> list[str]:
    """Return the paths an app route of its own answers: ``path``, and under ``base_url``.

    Streamlit serves its own routes under the base path (``server.baseUrlPath``) and a proxy
    may strip it or not, so a route of the app's answers both.

    Examples
    --------
    >>> route_paths("/_nv/x/{name}", "class/"), route_paths("/_nv/x/{name}")
    (['/_nv/x/{name}', '/class/_nv/x/{name}'], ['/_nv/x/{name}'])
    """
    base = base_url.strip("/")
    return [path, f"/{base}{path}"] if base else [path]
