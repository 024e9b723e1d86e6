"""The book's plumbing: executing notebooks, glue, house style, plots, tables, lab and page
checks. Imports :mod:`routerlab.evaluation` and below; never :mod:`routerlab.reproduction`."""
