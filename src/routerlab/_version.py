"""The package version (one place; ``routerlab.__version__`` and saved routers read it)."""

__version__ = "0.1.0"
