"""sbzoom: connect a SimplyBook.me company to Zoom from the command line."""

__version__ = "0.1.0"
