"""Who is told what about a deadline: policies, templates (vi, en), channels and the outbox dispatcher."""
