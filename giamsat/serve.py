"""Start the Streamlit dashboard as a child process on a local address."""

from __future__ import annotations

import os
import subprocess
import sys

from giamsat.core.resources import package_path

APP = package_path("dashboard", "app.py")


def dashboard_command(address: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        # Officers see the app, not Streamlit: no Deploy button, no ⋮ menu (Rerun, Clear cache,
        # Record screen, "Made with Streamlit"); errors show our Vietnamese message only.
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "none",
        "--theme.base",
        "light",
    ]


def serve_dashboard(address: str = "127.0.0.1", port: int = 8501) -> int:
    """Run until interrupted; the app reads GIAMSAT_PROFILE/GIAMSAT_STORE from the environment."""
    print(f"Bảng điều khiển: http://{address}:{port}  (Ctrl+C để dừng)", flush=True)
    try:
        return subprocess.call(dashboard_command(address, port), env=dict(os.environ))
    except KeyboardInterrupt:
        return 0
