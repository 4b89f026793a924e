"""Start the dashboard: ``python dashboard/serve.py [streamlit options]``.

The same as ``streamlit run dashboard/app.py [options]``, and meanwhile, in a
background thread, it prepares the landing page: the libraries the coverage
map imports, the national analysis under the default settings and the map's
area layer. The first
visitor's browser spends over a second loading Streamlit itself, so by the
time it asks for the page that work is mostly done. A visitor who arrives
sooner waits on the same cached computation; it is never done twice.

Python's cyclic garbage collector is paused while the server starts and the
landing page is prepared, and what they leave (modules, cached tables) is
then frozen out of its later passes (:func:`gc.freeze`): those objects live
as long as the server, and each full pass over them cost a tenth of a second
or more, several times while starting and after every script run.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
import threading
import time
from pathlib import Path

from streamlit.runtime import Runtime
from streamlit.runtime.runtime import RuntimeState
from streamlit.web import cli as streamlit_cli

APP = Path(__file__).with_name("app.py")

#: How often (seconds) the preparing thread checks whether Streamlit's runtime has started.
RUNTIME_POLL_SECONDS = 0.02
#: Python's thread switch interval (seconds) while preparing: short, so the
#: server keeps answering the browser promptly instead of queueing behind the
#: preparing thread (Python's default is 0.005).
PREPARING_SWITCH_INTERVAL_SECONDS = 0.0005

#: Libraries the landing page needs that never import Streamlit, the heaviest first: safe to import
#: while Streamlit's server starts in the main thread.
EARLY_IMPORTS: tuple[str, ...] = ("pandas", "scipy.spatial", "sqlalchemy", "geopandas", "folium")

_THREAD_NAME = "prepare-landing-page"


class _OutsideScriptRunNotice(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" notice for the preparing thread, which has none by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == _THREAD_NAME and "missing ScriptRunContext" in record.getMessage())


def prepare_landing_page() -> None:
    """Import the coverage map's modules and fill its caches under the default settings.

    The libraries of :data:`EARLY_IMPORTS` are imported at once, while
    Streamlit's server is still starting (imports are the longest part of
    the preparation). The dashboard's own modules, which import parts of
    Streamlit, wait until Streamlit's runtime has started, so that two
    threads never import Streamlit's modules at the same time; then the
    caches, which the runtime holds, are filled. All of this happens here
    rather than at the top of this module so that it overlaps the server's
    start and the browser's loading instead of coming before them. The map
    component (``streamlit_folium``) is left to the page: Streamlit
    registers a component only when it is declared during a script run.
    """
    usual = sys.getswitchinterval()
    sys.setswitchinterval(PREPARING_SWITCH_INTERVAL_SECONDS)
    try:
        for name in EARLY_IMPORTS:
            importlib.import_module(name)
        while not Runtime.exists() or Runtime.instance().state == RuntimeState.INITIAL:
            time.sleep(RUNTIME_POLL_SECONDS)
        import loaders
        import shared

        settings = shared.default_settings()
        loaders.prepare_coverage_map(shared.rule_for(settings), shared.jurisdiction_for(settings), str(settings["service"]))
    finally:
        sys.setswitchinterval(usual)
        gc.freeze()
        gc.enable()


def main() -> int:
    """Run the dashboard server with the landing page being prepared alongside; returns the exit status."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_OutsideScriptRunNotice())
    gc.disable()
    threading.Thread(target=prepare_landing_page, name=_THREAD_NAME, daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return streamlit_cli.main()


if __name__ == "__main__":
    sys.exit(main())
