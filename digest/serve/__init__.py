"""Serving: the long-running project, the file watcher and the preview server."""
