# The template is a singleton of the tenant: its import ID is always "partner_configuration".
terraform import entra_multi_tenant_organization_partner_template.this partner_configuration
