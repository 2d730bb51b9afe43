"""Daily delivery plans: the domain (records, rules, planning settings), its ports and the use cases
(build the day's problem, optimize, edit, re-plan, compare, publish). No SQL and no wiring here."""
