"""core: accounts, roles and scoping, jurisdictions (GB/T 2260), the audit chain, identifiers, API plumbing."""
