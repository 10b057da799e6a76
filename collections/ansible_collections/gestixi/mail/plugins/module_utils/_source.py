# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Digests of this collection's own code, for results kept from one run to the next.

A kept result (the Sieve manifest, the store's converge record) holds only for the code that
computed it: a new release computes it again.
"""
from __future__ import annotations

import hashlib
import sys

PACKAGE = "ansible_collections.gestixi.mail.plugins.module_utils."


def source_digest(modules: tuple | None = None) -> str | None:
    """A digest of the source of modules; by default of every module of this package that the
    process has loaded (a module's payload ships the same ones every time). None when a source
    cannot be read: such a result is then never trusted."""
    if modules is None:
        modules = tuple(module for name, module in sorted(sys.modules.items())
                        if name.startswith(PACKAGE) and module is not None)
    digest = hashlib.sha256()
    for module in modules:
        spec = getattr(module, "__spec__", None)
        try:
            # The loader's own text (a file, or a member of the module's payload); an empty
            # __init__.py is '' here, where inspect.getsource would refuse it.
            source = spec.loader.get_source(module.__name__) if spec is not None and spec.loader is not None else None
        except (ImportError, OSError, AttributeError):
            source = None
        if source is None:
            return None
        digest.update(module.__name__.encode("utf-8") + b"\0" + source.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()
