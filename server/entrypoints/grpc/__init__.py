"""gRPC edges of the plans server: OrganizationService (master data) and PlanService."""
