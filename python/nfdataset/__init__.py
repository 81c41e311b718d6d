"""nfdataset: NFStream's Python API on the nfdataset Go flow meter.

Change ``from nfstream import NFStreamer, NFPlugin`` into
``from nfdataset import NFStreamer, NFPlugin`` and the same code runs,
metered by the Go engine, with the same DataFrame.
"""

from . import plugins
from .dataset import Dataset, build, read_dataset
from .flow import NFlow
from .plugin import NFPlugin
from .streamer import NFStreamer

__all__ = ["NFStreamer", "NFPlugin", "NFlow", "plugins", "read_dataset", "build", "Dataset"]
__version__ = "0.1.0"
