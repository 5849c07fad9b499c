# A partner configuration is imported by the partner's tenant id...
terraform import entra_cross_tenant_partner.truesec 07d2f395-f69c-43ab-88a2-b82f1151042d

# ...or by any verified domain of the partner tenant, resolved with findTenantInformationByDomainName.
terraform import entra_cross_tenant_partner.truesec truesecdetect.io
