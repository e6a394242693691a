"""No page that frames the app may control it: the served host config allows no origin.

Streamlit's frontend obeys ``postMessage`` commands (stop, rerun, set an auth token...) from a
parent frame whose origin its host config allows; Streamlit's default list names Community
Cloud's hosts. ``.streamlit/config.toml`` empties it (``client.allowedOrigins``): normviz is
not framed by anyone it should obey, and the frontend no longer matches its own messages
against those patterns on every page run.
"""

from __future__ import annotations

import json
import urllib.request


def test_the_host_config_allows_no_parent_origin(server):
    with urllib.request.urlopen(server.url + "/_stcore/host-config", timeout=10) as answer:
        config = json.load(answer)
    assert config["allowedOrigins"] == []
