"""The Go plugins of nfdataset, usable as ``udps=`` of ``NFStreamer``.

They run inside the Go meter at Go speed and give the same ``udps.*``
columns as NFStream's bundled Python plugins of the same name::

    NFStreamer(source="x.pcap", udps=[plugins.JA4(), plugins.FlowSlicer(limit=4)])
"""

from __future__ import annotations

from typing import Any

from .plugin import NFPlugin


class GoPlugin(NFPlugin):
    """A plugin implemented in Go, selected by its registry name.

    ``GoPlugin("ja4", spec=True)`` is ``--plugin ja4:spec=true`` of
    ``nfdataset flows``; ``nfdataset features`` lists the names and options.
    Its Python hooks are never called.
    """

    def __init__(self, name: str, **options: Any) -> None:
        super().__init__()
        self.go_name = name
        self.go_options = dict(options)

    def flag(self) -> str:
        """The ``--plugin`` argument of the Go command."""
        if not self.go_options:
            return self.go_name

        def text(v: Any) -> str:
            if isinstance(v, bool):
                return "true" if v else "false"
            return str(v)

        return self.go_name + ":" + ",".join(f"{k}={text(v)}" for k, v in self.go_options.items())

    def __repr__(self) -> str:
        return f"GoPlugin({self.flag()!r})"


def JA4(**options: Any) -> GoPlugin:
    """NFStream's JA4 plugin (udps.ja4, udps.ja4s); ``spec=True`` for the JA4 specification."""
    options.pop("throw_warns", None)
    return GoPlugin("ja4", **options)


def DHCP(**options: Any) -> GoPlugin:
    """NFStream's DHCP plugin (udps.dhcp_*)."""
    return GoPlugin("dhcp", **options)


def MDNS(**options: Any) -> GoPlugin:
    """NFStream's MDNS plugin (udps.mdns_ptr)."""
    return GoPlugin("mdns", **options)


def FlowSlicer(limit: int, **options: Any) -> GoPlugin:
    """NFStream's FlowSlicer: ends a flow every ``limit`` packets."""
    return GoPlugin("slicer", limit=limit, **options)


def SPLT(**options: Any) -> GoPlugin:
    """NFStream's SPLT plugin (udps.splt_direction, udps.splt_ps, udps.splt_piat_ms)."""
    return GoPlugin("splt", **options)


def WFPlugin(**options: Any) -> GoPlugin:
    """NFStream's WFPlugin (wavelet features udps.f_*/b_*): ``levels``, ``active_timeout``."""
    return GoPlugin("wfeatures", **options)
