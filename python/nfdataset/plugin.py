"""NFPlugin, NFStream's user-defined feature base class."""

from __future__ import annotations

from typing import Any


class NFPlugin:
    """Base class of a user plugin, run for every packet of every flow.

    Keyword arguments given to the constructor become attributes of the
    plugin. Subclasses override ``on_init(packet, flow)`` (first packet of a
    flow), ``on_update(packet, flow)`` (every later packet), ``on_expire(flow)``
    (once, when the flow ends) and ``cleanup()``; values stored on
    ``flow.udps`` become ``udps.<name>`` columns, and setting
    ``flow.expiration_id = -1`` in a hook ends the flow after that packet.
    """

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)

    def on_init(self, packet: Any, flow: Any) -> None:
        """Called with the first packet of a new flow."""

    def on_update(self, packet: Any, flow: Any) -> None:
        """Called with every later packet of the flow."""

    def on_expire(self, flow: Any) -> None:
        """Called once when the flow expires, before it is yielded."""

    def cleanup(self) -> None:
        """Releases what the plugin holds (NFStream never calls it either)."""
