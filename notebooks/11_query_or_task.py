# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Routing by the query, or by the task?

# %% tags=["parameters"]
scale = 1.0        # share of each real source's queries (stratified by dataset; at least 300 per dataset)
n_seeds = 5        # train/test splits, seeds 0 .. n_seeds - 1
data_dir = None    # folder holding the real-data folders (None: ../shared/data beside the project)
