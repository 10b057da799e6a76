"""Offline stand-in for the pip bootstrap script ansible-test downloads.

ansible-test (`sanity --venv`) creates empty virtual environments and bootstraps pip in them
with a `get-pip.py` fetched from ci-files.testing.ansible.com, a host our machines cannot
reach. It first looks for a cached copy at ~/.ansible/test/cache/get_pip_<version>.py and
runs it as `__main__` with pip-install arguments, for example:

    --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel

`./run sanity` copies this file to that cache path. It installs pip from the interpreter's
own bundled wheel (`ensurepip`), then lets that pip install the requested packages from the
usual index.

ensurepip sets PIP_CONFIG_FILE=/dev/null in os.environ and leaves it there; that hides the
machine's pip configuration (certificate bundle, local indexes), so the environment is
restored before pip runs.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

# get-pip.py options that the pip command line does not understand.
GET_PIP_ONLY_OPTIONS = frozenset({"--no-setuptools", "--no-wheel"})


def main(argv: list[str]) -> int:
    """Bootstrap pip, then `pip install` the given arguments; return the exit status."""
    pip_args = [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]

    saved_environ = dict(os.environ)
    try:
        ensurepip.bootstrap(upgrade=True)
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)

    if not pip_args:
        return 0

    command = [sys.executable, "-m", "pip", "install", "--quiet", *pip_args]
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
