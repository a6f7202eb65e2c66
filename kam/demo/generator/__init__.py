"""The demo company generator: planned on paper with no database (``plan``, ``ledger``), then
written through the services (``build``)."""
