"""Daily delivery plans: build a routing problem from the stored data, solve it, store the plan."""
