"""Identity: who calls (principals and roles), how they prove it (passwords, tokens, API keys, the
service credential) and what each may call (:mod:`server.identity.policy`). No SQL, no gRPC."""
