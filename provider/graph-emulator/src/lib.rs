//! A local Microsoft Graph emulator for Entra cross-tenant access settings.
