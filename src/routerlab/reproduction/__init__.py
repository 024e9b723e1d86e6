"""The article's claims, the rules fixed before measuring them (``criteria.yaml``,
``findings.yaml``) and the ledger that judges them. Imports every wing but the CLI."""
