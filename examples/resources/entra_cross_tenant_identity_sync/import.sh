# An identity synchronization policy is imported by the partner's tenant id.
terraform import entra_cross_tenant_identity_sync.contoso 6babcaad-604b-40ac-a9d7-9fd97c0b779f
