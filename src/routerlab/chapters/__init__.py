"""Each chapter's own tables, figures and checks, one module per notebook (``notebooks/NN_name.py``
calls ``routerlab.chapters.name``), so that a notebook reads as prose and calls. The top wing
below the CLI: it may import every other wing; nothing but the notebooks imports it."""
