# A tenant has one join request: its import ID is always "join_request".
terraform import entra_multi_tenant_organization_join_request.this join_request
