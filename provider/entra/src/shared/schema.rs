//! Builders for the shared nested attributes of interface.md §3.
//!
//! Every builder takes a [`Presence`], which decides at every level whether the user may set a value and what
//! leaving it out means, and writes the matching sentence into the description. Validators (see
//! [`super::validation`]) are attached here, so the partner and default resources check exactly the same rules.

use serde_json::{Value as Json, json};
use tfplugin::validators::{each, one_of};
use tfplugin::{Attribute, Nesting, Type};

use super::validation;

/// The access types Graph documents for target configurations and device filters.
pub const ACCESS_TYPES: [&str; 2] = ["allowed", "blocked"];
/// The target types Graph documents.
pub const TARGET_TYPES: [&str; 3] = ["user", "group", "application"];
/// Identity providers that may appear in `primary_identity_provider_precedence_order`.
pub const PRIMARY_IDENTITY_PROVIDERS: [&str; 3] =
    ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"];
/// Identity providers that may be the `fallback_identity_provider`.
pub const FALLBACK_IDENTITY_PROVIDERS: [&str; 3] = ["defaultConfiguredIdp", "emailOneTimePasscode", "microsoftAccount"];

/// How the attributes a builder makes behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Optional at every level; `null` means "inherited from the default configuration" (partner resources).
    Inherit,
    /// Optional and computed at every level; anything omitted is planned as Microsoft's service default value
    /// (the default configuration). Values the user must always give together (a target's `target` and
    /// `target_type`) stay required.
    ServiceDefault,
    /// Computed only, without validators (data-source output and read-only properties).
    Computed,
}

impl Presence {
    /// A setting, sub-object or flag the user may leave out.
    fn settable(self, attribute: Attribute) -> Attribute {
        match self {
            Presence::Inherit => attribute.optional(),
            Presence::ServiceDefault => attribute.optional().computed(),
            Presence::Computed => attribute.computed(),
        }
    }

    /// A part that makes no sense without its siblings (`access_type` and `targets`): required when partners set
    /// the object, filled from the service default for the default configuration.
    fn essential(self, attribute: Attribute) -> Attribute {
        match self {
            Presence::Inherit => attribute.required(),
            Presence::ServiceDefault => attribute.optional().computed(),
            Presence::Computed => attribute.computed(),
        }
    }

    /// An attribute of a set element (`target`, `target_type`): always given with the element.
    fn element(self, attribute: Attribute) -> Attribute {
        match self {
            Presence::Computed => attribute.computed(),
            Presence::Inherit | Presence::ServiceDefault => attribute.required(),
        }
    }

    /// Attaches a validator, except to output-only attributes (the provider fills those itself).
    fn validate(self, attribute: Attribute, validator: impl tfplugin::validators::Validator + 'static) -> Attribute {
        match self {
            Presence::Computed => attribute,
            Presence::Inherit | Presence::ServiceDefault => attribute.validate(validator),
        }
    }

    /// What leaving out a whole top-level setting means, as a Markdown paragraph.
    fn setting_note(self) -> &'static str {
        match self {
            Presence::Inherit => {
                "Omit it (or set it to `null`) to inherit this setting from the tenant's default configuration \
                 (`entra_cross_tenant_default`). Removing it from the configuration sends an explicit `null` to \
                 Microsoft Graph, so the partner goes back to inheriting."
            }
            Presence::ServiceDefault => {
                "Anything left out — the whole setting, one of its parts or a single flag — is planned as \
                 Microsoft's service default value for it, as a known value, so `terraform plan` shows any drift \
                 from the service default."
            }
            Presence::Computed => "`null` means the setting is not configured here (a partner then inherits it).",
        }
    }

    /// What leaving out a part that [`Presence::essential`] makes required (for partners) means.
    fn essential_note(self) -> &'static str {
        match self {
            Presence::Inherit => "Required when the enclosing object is set.",
            Presence::ServiceDefault | Presence::Computed => self.part_note(),
        }
    }

    /// What leaving out a part of a setting means.
    fn part_note(self) -> &'static str {
        match self {
            Presence::Inherit => "Omitted: not set (`null`).",
            Presence::ServiceDefault => "Omitted: Microsoft's service default.",
            Presence::Computed => "",
        }
    }
}

fn describe(text: &str, note: &str) -> String {
    if note.is_empty() { text.to_owned() } else { format!("{text} {note}") }
}

/// Which list of targets a target configuration holds; decides the target types and keywords allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetContainer {
    /// `users_and_groups`: users and groups (`user`, `group`; keyword `AllUsers`).
    UsersAndGroups,
    /// `users` of `m365_collaboration_inbound`: the same rules as `users_and_groups` under Graph's other name.
    Users,
    /// `applications`: applications (`application`; keywords `AllApplications`, `Office365`, `AllMicrosoftApps`).
    Applications,
}

impl TargetContainer {
    /// The attribute name.
    pub fn name(self) -> &'static str {
        match self {
            TargetContainer::UsersAndGroups => "users_and_groups",
            TargetContainer::Users => "users",
            TargetContainer::Applications => "applications",
        }
    }

    /// The target types allowed in it.
    pub fn target_types(self) -> &'static [&'static str] {
        match self {
            TargetContainer::UsersAndGroups | TargetContainer::Users => &["user", "group"],
            TargetContainer::Applications => &["application"],
        }
    }

    fn targets_description(self) -> &'static str {
        match self {
            TargetContainer::UsersAndGroups | TargetContainer::Users => {
                "The users and groups this applies to, as a set (order does not matter). `target` is a user or \
                 group object id (a GUID; GUIDs compare case-insensitively) with `target_type` `user` or `group`, \
                 or the keyword `AllUsers` with `target_type = \"user\"` for every user. `AllUsers` cannot be \
                 combined with ids."
            }
            TargetContainer::Applications => {
                "The applications this applies to, as a set (order does not matter). `target` is an application \
                 (client) id (a GUID; GUIDs compare case-insensitively) or one of the keywords `AllApplications`, \
                 `Office365` and `AllMicrosoftApps`, always with `target_type = \"application\"`."
            }
        }
    }
}

/// Extra rules a target configuration obeys in one place only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restriction {
    None,
    /// R3/R4: the default configuration's inbound settings and tenant restrictions may only target `AllUsers`.
    OnlyAllUsers(&'static str),
}

/// `target_configuration` = `{ access_type, targets = set({ target, target_type }) }`, named after its container.
pub fn target_configuration(container: TargetContainer, presence: Presence, what: &str) -> Attribute {
    target_configuration_with(container, presence, what, Restriction::None)
}

fn target_configuration_with(
    container: TargetContainer,
    presence: Presence,
    what: &str,
    restriction: Restriction,
) -> Attribute {
    // `target` is checked together with its `target_type` and its siblings by the `targets` validator.
    let target = presence.element(Attribute::string("target")).description(
        "A user, group or application id (a GUID), or a keyword: `AllUsers`, `AllApplications`, `Office365` or \
         `AllMicrosoftApps`. Keywords are case-sensitive.",
    );
    let target_type = presence.validate(
        presence.element(Attribute::string("target_type")).description(format!(
            "What `target` names: {}.",
            container.target_types().iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(" or ")
        )),
        one_of(TARGET_TYPES),
    );
    let mut targets = presence.validate(
        presence
            .essential(Attribute::nested("targets", Nesting::Set, [target, target_type]))
            .description(describe(container.targets_description(), presence.essential_note())),
        validation::targets(container),
    );
    if let Restriction::OnlyAllUsers(reason) = restriction {
        targets = presence.validate(targets, validation::only_all_users(reason));
    }
    let access_type = presence.validate(
        presence.essential(Attribute::string("access_type")).description(describe(
            "Whether the `targets` are allowed or blocked: `allowed` or `blocked`.",
            presence.essential_note(),
        )),
        one_of(ACCESS_TYPES),
    );
    presence
        .settable(Attribute::nested(container.name(), Nesting::Single, [access_type, targets]))
        .description(describe(what, presence.part_note()))
}

/// The four B2B settings (`crossTenantAccessPolicyB2BSetting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum B2bSettingKind {
    /// `b2b_collaboration_inbound`
    CollaborationInbound,
    /// `b2b_collaboration_outbound`
    CollaborationOutbound,
    /// `b2b_direct_connect_inbound`
    DirectConnectInbound,
    /// `b2b_direct_connect_outbound`
    DirectConnectOutbound,
}

impl B2bSettingKind {
    /// All four, in the order the documentation lists them.
    pub const ALL: [B2bSettingKind; 4] = [
        B2bSettingKind::CollaborationInbound,
        B2bSettingKind::CollaborationOutbound,
        B2bSettingKind::DirectConnectInbound,
        B2bSettingKind::DirectConnectOutbound,
    ];

    /// The attribute name.
    pub fn name(self) -> &'static str {
        match self {
            B2bSettingKind::CollaborationInbound => "b2b_collaboration_inbound",
            B2bSettingKind::CollaborationOutbound => "b2b_collaboration_outbound",
            B2bSettingKind::DirectConnectInbound => "b2b_direct_connect_inbound",
            B2bSettingKind::DirectConnectOutbound => "b2b_direct_connect_outbound",
        }
    }

    /// True for the outbound settings, where the Rights Management Services warning applies.
    pub fn is_outbound(self) -> bool {
        matches!(self, B2bSettingKind::CollaborationOutbound | B2bSettingKind::DirectConnectOutbound)
    }

    fn description(self) -> &'static str {
        match self {
            B2bSettingKind::CollaborationInbound => {
                "Inbound B2B collaboration (portal: Inbound access > B2B collaboration): which users and groups of \
                 the external organization may be invited into this tenant as guests, and which of this tenant's \
                 applications they may use."
            }
            B2bSettingKind::CollaborationOutbound => {
                "Outbound B2B collaboration (portal: Outbound access > B2B collaboration): which of this tenant's \
                 users and groups may accept invitations from the external organization, and which of its \
                 applications they may use."
            }
            B2bSettingKind::DirectConnectInbound => {
                "Inbound B2B direct connect (portal: Inbound access > B2B direct connect): which users and groups \
                 of the external organization may reach this tenant's resources without a guest account (Teams \
                 shared channels), and through which applications."
            }
            B2bSettingKind::DirectConnectOutbound => {
                "Outbound B2B direct connect (portal: Outbound access > B2B direct connect): which of this \
                 tenant's users and groups may reach the external organization's resources without a guest \
                 account (Teams shared channels), and through which of its applications."
            }
        }
    }

    fn restriction(self, presence: Presence) -> Restriction {
        let inbound = matches!(self, B2bSettingKind::CollaborationInbound | B2bSettingKind::DirectConnectInbound);
        if inbound && presence == Presence::ServiceDefault {
            Restriction::OnlyAllUsers(
                "the default configuration's inbound settings cannot target specific users or groups (R3)",
            )
        } else {
            Restriction::None
        }
    }
}

/// A B2B setting: `{ users_and_groups, applications }`, each a target configuration. R1/R2 apply between the two
/// parts; outbound settings warn when the Rights Management Services app would be blocked; the default
/// configuration's inbound settings may only target `AllUsers` (R3).
pub fn b2b_setting(kind: B2bSettingKind, presence: Presence) -> Attribute {
    let users = target_configuration_with(
        TargetContainer::UsersAndGroups,
        presence,
        "The users and groups part: who is allowed or blocked.",
        kind.restriction(presence),
    );
    let applications = target_configuration(
        TargetContainer::Applications,
        presence,
        "The applications part: which applications are allowed or blocked.",
    );
    let mut attribute = presence
        .settable(Attribute::nested(kind.name(), Nesting::Single, [users, applications]))
        .description(format!("{}\n\n{}", kind.description(), presence.setting_note()));
    attribute = presence.validate(attribute, validation::b2b_consistency());
    if kind.is_outbound() {
        attribute = presence.validate(attribute, validation::rights_management_warning());
    }
    attribute
}

/// `inbound_trust` = `{ is_mfa_accepted, is_compliant_device_accepted, is_hybrid_azure_ad_joined_device_accepted }`.
pub fn inbound_trust(presence: Presence) -> Attribute {
    let flag = |name: &str, text: &str| {
        presence.settable(Attribute::bool(name)).description(describe(text, presence.part_note()))
    };
    presence
        .settable(Attribute::nested(
            "inbound_trust",
            Nesting::Single,
            [
                flag(
                    "is_mfa_accepted",
                    "Trust multifactor authentication performed in the external organization's tenant, so its \
                     users are not asked for MFA again (portal: Trust settings > \"Trust multifactor authentication \
                     from Microsoft Entra tenants\").",
                ),
                flag(
                    "is_compliant_device_accepted",
                    "Trust the external organization's compliant-device claims (portal: Trust settings > \"Trust \
                     compliant devices\").",
                ),
                flag(
                    "is_hybrid_azure_ad_joined_device_accepted",
                    "Trust the external organization's Microsoft Entra hybrid joined device claims (portal: Trust \
                     settings > \"Trust Microsoft Entra hybrid joined devices\").",
                ),
            ],
        ))
        .description(format!(
            "Inbound trust (portal: Inbound access > Trust settings): which claims from the external organization's \
             tenant Conditional Access accepts.\n\n{}",
            presence.setting_note()
        ))
}

/// `automatic_user_consent_settings` = `{ inbound_allowed, outbound_allowed }`.
pub fn automatic_user_consent_settings(presence: Presence) -> Attribute {
    let flag = |name: &str, text: &str| {
        presence.settable(Attribute::bool(name)).description(describe(text, presence.part_note()))
    };
    let note = match presence {
        Presence::Inherit => {
            "Omit it to inherit (the default configuration never redeems automatically). Microsoft Graph reports an \
             unset value as an object of nulls; the provider reads that as `null`, so leaving it out causes no diff."
        }
        Presence::ServiceDefault | Presence::Computed => {
            "Read-only on the default configuration, where Microsoft always reports both flags as `false`."
        }
    };
    presence
        .settable(Attribute::nested(
            "automatic_user_consent_settings",
            Nesting::Single,
            [
                flag(
                    "inbound_allowed",
                    "Redeem invitations from the external organization's users automatically, without a consent \
                     prompt (portal: Inbound access > Trust settings > \"Automatically redeem invitations with the \
                     tenant\"; needed for cross-tenant synchronization into this tenant).",
                ),
                flag(
                    "outbound_allowed",
                    "Redeem this tenant's users' invitations to the external organization automatically (portal: \
                     Outbound access > Trust settings > \"Automatically redeem invitations with the tenant\").",
                ),
            ],
        ))
        .description(format!(
            "Automatic redemption of invitations: suppresses the consent prompt when users move between the two \
             tenants. Both tenants must allow it (inbound on one side, outbound on the other).\n\n{note}"
        ))
}

/// `tenant_restrictions` = `{ users_and_groups, applications, devices = { mode, rule } }`.
pub fn tenant_restrictions(presence: Presence) -> Attribute {
    let restriction = if presence == Presence::ServiceDefault {
        Restriction::OnlyAllUsers(
            "the default configuration's tenant restrictions cannot target specific users or groups (R4)",
        )
    } else {
        Restriction::None
    };
    let users = target_configuration_with(
        TargetContainer::UsersAndGroups,
        presence,
        "Which external identities (of the external organization) may sign in on this tenant's managed devices and \
         networks.",
        restriction,
    );
    let applications = target_configuration(
        TargetContainer::Applications,
        presence,
        "Which of the external organization's applications those identities may use.",
    );
    let mode = presence.validate(
        presence.settable(Attribute::string("mode")).description(describe(
            "Whether devices matching `rule` are `allowed` or `blocked` (not include/exclude).",
            presence.part_note(),
        )),
        one_of(ACCESS_TYPES),
    );
    let rule = presence.settable(Attribute::string("rule")).description(describe(
        "A device filter rule, e.g. `device.deviceAttribute2 -eq 'PrivilegedAccessWorkstation'`.",
        presence.part_note(),
    ));
    let devices = presence.settable(Attribute::nested("devices", Nesting::Single, [mode, rule])).description(describe(
        "A device filter. Microsoft documents it as not yet supported by the service.",
        presence.part_note(),
    ));
    let attribute = presence
        .settable(Attribute::nested("tenant_restrictions", Nesting::Single, [users, applications, devices]))
        .description(format!(
            "Tenant restrictions v2 (portal: Tenant restrictions): which external identities and applications \
             users may use from this tenant's managed devices and networks.\n\n{}",
            presence.setting_note()
        ));
    presence.validate(attribute, validation::b2b_consistency())
}

/// `m365_collaboration_inbound` = `{ users = target_configuration }` (Graph calls the part `users`).
pub fn m365_collaboration_inbound(presence: Presence) -> Attribute {
    let users = target_configuration(
        TargetContainer::Users,
        presence,
        "Which external users and groups are allowed or blocked.",
    );
    presence.settable(Attribute::nested("m365_collaboration_inbound", Nesting::Single, [users])).description(format!(
        "Inbound Microsoft 365 collaboration: which users and groups of the external organization may collaborate \
         with this tenant through Microsoft 365 capabilities.\n\n{}",
        presence.setting_note()
    ))
}

/// `m365_collaboration_outbound` = `{ users_and_groups = target_configuration }`.
pub fn m365_collaboration_outbound(presence: Presence) -> Attribute {
    let users = target_configuration(
        TargetContainer::UsersAndGroups,
        presence,
        "Which of this tenant's users and groups are allowed or blocked.",
    );
    presence.settable(Attribute::nested("m365_collaboration_outbound", Nesting::Single, [users])).description(format!(
        "Outbound Microsoft 365 collaboration: which of this tenant's users and groups may collaborate with the \
         external organization through Microsoft 365 capabilities.\n\n{}",
        presence.setting_note()
    ))
}

/// `app_service_connect_inbound` = `{ applications = target_configuration }`.
pub fn app_service_connect_inbound(presence: Presence) -> Attribute {
    let applications = target_configuration(
        TargetContainer::Applications,
        presence,
        "Which of the external organization's applications are allowed or blocked.",
    );
    presence.settable(Attribute::nested("app_service_connect_inbound", Nesting::Single, [applications])).description(
        format!(
            "Inbound App Service connect: which applications of the external organization may connect to this \
             tenant's services.\n\n{}",
            presence.setting_note()
        ),
    )
}

/// `invitation_redemption_identity_provider_configuration` = `{ primary_identity_provider_precedence_order =
/// list(string), fallback_identity_provider = string }` (order matters, so a list).
pub fn invitation_redemption_identity_provider_configuration(presence: Presence) -> Attribute {
    let quoted = |values: &[&str]| values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
    let mut primary = presence
        .settable(Attribute::list("primary_identity_provider_precedence_order", Type::String))
        .description(describe(
            &format!(
                "The identity providers tried first when a guest redeems an invitation, in order. Allowed values: {}; \
                 each at most once.",
                quoted(&PRIMARY_IDENTITY_PROVIDERS)
            ),
            presence.part_note(),
        ));
    primary = presence.validate(primary, each(one_of(PRIMARY_IDENTITY_PROVIDERS)));
    primary = presence.validate(primary, validation::no_duplicates());
    let fallback = presence.validate(
        presence.settable(Attribute::string("fallback_identity_provider")).description(describe(
            &format!(
                "The identity provider used when none of the primary ones applies: {}.",
                quoted(&FALLBACK_IDENTITY_PROVIDERS)
            ),
            presence.part_note(),
        )),
        one_of(FALLBACK_IDENTITY_PROVIDERS),
    );
    presence
        .settable(Attribute::nested(
            "invitation_redemption_identity_provider_configuration",
            Nesting::Single,
            [primary, fallback],
        ))
        .description(format!(
            "Invitation redemption (portal: Default settings > Inbound access > B2B collaboration > Trust \
             settings > \"Configure identity providers\"): the order in which identity providers are offered to \
             guests.\n\n{}",
            presence.setting_note()
        ))
}

// ----- The settings of each Graph object ---------------------------------------------------------------------
//
// These lists, with the builders above, are the one description of the settings: resources map them to and from
// Graph's JSON by walking them (crate::mapping), so a new setting is a builder, an entry in each list it belongs
// to, and (for the default configuration) its service default below.

/// The settings a partner configuration has, in the order interface.md lists them.
pub fn partner_settings(presence: Presence) -> Vec<Attribute> {
    vec![
        inbound_trust(presence),
        automatic_user_consent_settings(presence),
        b2b_setting(B2bSettingKind::CollaborationInbound, presence),
        b2b_setting(B2bSettingKind::CollaborationOutbound, presence),
        b2b_setting(B2bSettingKind::DirectConnectInbound, presence),
        b2b_setting(B2bSettingKind::DirectConnectOutbound, presence),
        tenant_restrictions(presence),
        m365_collaboration_inbound(presence),
        m365_collaboration_outbound(presence),
        app_service_connect_inbound(presence),
    ]
}

/// The settings of the default configuration the user manages, in the order interface.md lists them: optional
/// and computed at every level, anything omitted is its [`service_default`]. (The default's
/// `automatic_user_consent_settings` is read-only there, so it is not among them.)
pub fn default_settings() -> Vec<Attribute> {
    let presence = Presence::ServiceDefault;
    vec![
        inbound_trust(presence),
        b2b_setting(B2bSettingKind::CollaborationInbound, presence),
        b2b_setting(B2bSettingKind::CollaborationOutbound, presence),
        b2b_setting(B2bSettingKind::DirectConnectInbound, presence),
        b2b_setting(B2bSettingKind::DirectConnectOutbound, presence),
        tenant_restrictions(presence),
        invitation_redemption_identity_provider_configuration(presence),
        m365_collaboration_inbound(presence),
        m365_collaboration_outbound(presence),
        app_service_connect_inbound(presence),
    ]
}

/// Microsoft's service default for every setting of [`default_settings`], as Graph writes it: the default
/// configuration of a fresh tenant, and what `resetToSystemDefault` restores (graph-api.md §5.1 and §6.7). B2B
/// collaboration allows everyone in both directions; B2B direct connect blocks everyone; no inbound trust; tenant
/// restrictions block everything (devices unset); guests redeem with Microsoft Entra ID, then federation, then
/// social identity providers; Microsoft 365 collaboration is blocked inbound and allowed outbound; App Service
/// connect is blocked inbound.
pub fn service_default() -> serde_json::Map<String, Json> {
    fn targets(access: &str, target: &str, target_type: &str) -> Json {
        json!({"accessType": access, "targets": [{"target": target, "targetType": target_type}]})
    }
    fn b2b(access: &str) -> Json {
        json!({
            "usersAndGroups": targets(access, "AllUsers", "user"),
            "applications": targets(access, "AllApplications", "application"),
        })
    }
    let table = [
        (
            "inboundTrust",
            json!({
                "isMfaAccepted": false,
                "isCompliantDeviceAccepted": false,
                "isHybridAzureADJoinedDeviceAccepted": false,
            }),
        ),
        ("b2bCollaborationInbound", b2b("allowed")),
        ("b2bCollaborationOutbound", b2b("allowed")),
        ("b2bDirectConnectInbound", b2b("blocked")),
        ("b2bDirectConnectOutbound", b2b("blocked")),
        (
            "tenantRestrictions",
            json!({
                "usersAndGroups": targets("blocked", "AllUsers", "user"),
                "applications": targets("blocked", "AllApplications", "application"),
                "devices": null,
            }),
        ),
        (
            "invitationRedemptionIdentityProviderConfiguration",
            json!({
                "primaryIdentityProviderPrecedenceOrder": [
                    "azureActiveDirectory",
                    "externalFederation",
                    "socialIdentityProviders",
                ],
                "fallbackIdentityProvider": "defaultConfiguredIdp",
            }),
        ),
        ("m365CollaborationInbound", json!({"users": targets("blocked", "AllUsers", "user")})),
        ("m365CollaborationOutbound", json!({"usersAndGroups": targets("allowed", "AllUsers", "user")})),
        ("appServiceConnectInbound", json!({"applications": targets("blocked", "AllApplications", "application")})),
    ];
    table.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tfplugin::Schema;

    /// The names of [`partner_settings`], in interface.md's order.
    pub(crate) const PARTNER_SETTINGS: [&str; 10] = [
        "inbound_trust",
        "automatic_user_consent_settings",
        "b2b_collaboration_inbound",
        "b2b_collaboration_outbound",
        "b2b_direct_connect_inbound",
        "b2b_direct_connect_outbound",
        "tenant_restrictions",
        "m365_collaboration_inbound",
        "m365_collaboration_outbound",
        "app_service_connect_inbound",
    ];

    fn schema(presence: Presence) -> Schema {
        Schema::new("test")
            .attributes(partner_settings(presence))
            .attribute(invitation_redemption_identity_provider_configuration(presence))
    }

    #[test]
    fn schemas_are_well_formed_in_every_presence() {
        for presence in [Presence::Inherit, Presence::ServiceDefault, Presence::Computed] {
            let schema = schema(presence);
            assert_eq!(schema.problems(), Vec::<String>::new(), "{presence:?}");
            let names: Vec<&str> = schema.attributes.iter().take(10).map(|a| a.name.as_str()).collect();
            assert_eq!(names, PARTNER_SETTINGS);
        }
    }

    /// Walks every attribute with its dotted path.
    fn walk<'a>(attributes: &'a [Attribute], prefix: &str, out: &mut Vec<(String, &'a Attribute)>) {
        for attribute in attributes {
            let path = if prefix.is_empty() { attribute.name.clone() } else { format!("{prefix}.{}", attribute.name) };
            out.push((path.clone(), attribute));
            if let Some((_, inner)) = attribute.nested_attributes() {
                walk(inner, &path, out);
            }
        }
    }

    #[test]
    fn presence_decides_optional_computed_and_required_at_every_level() {
        let mut all = Vec::new();
        let inherit = schema(Presence::Inherit);
        walk(&inherit.attributes, "", &mut all);
        for (path, attribute) in &all {
            let essential = path.ends_with(".access_type") || path.ends_with(".targets");
            let element = path.ends_with(".target") || path.ends_with(".target_type");
            if essential || element {
                assert!(attribute.required, "{path} is required when the partner sets its parent");
                assert!(!attribute.description.contains("Omitted"), "{path}: {}", attribute.description);
            } else {
                assert!(attribute.optional && !attribute.computed, "{path} is optional, null = inherit");
            }
            assert!(!attribute.description.is_empty(), "{path} has a description");
        }

        let mut all = Vec::new();
        let default = schema(Presence::ServiceDefault);
        walk(&default.attributes, "", &mut all);
        for (path, attribute) in &all {
            if path.ends_with(".target") || path.ends_with(".target_type") {
                assert!(attribute.required, "{path}");
            } else {
                assert!(attribute.optional && attribute.computed, "{path} is filled with the service default");
            }
        }

        let mut all = Vec::new();
        let computed = schema(Presence::Computed);
        walk(&computed.attributes, "", &mut all);
        for (path, attribute) in &all {
            assert!(attribute.computed && !attribute.optional && !attribute.required, "{path}");
            assert!(attribute.validators.is_empty(), "{path} output is not validated");
        }
    }

    #[test]
    fn descriptions_say_what_null_means() {
        let inherit = b2b_setting(B2bSettingKind::CollaborationInbound, Presence::Inherit);
        assert!(inherit.description.contains("inherit"), "{}", inherit.description);
        assert!(inherit.description.contains("explicit `null`"), "{}", inherit.description);
        let default = b2b_setting(B2bSettingKind::CollaborationInbound, Presence::ServiceDefault);
        assert!(default.description.contains("service default"), "{}", default.description);
    }

    #[test]
    fn r3_and_r4_apply_only_to_the_default_configuration() {
        let count = |attribute: &Attribute| {
            let mut all = Vec::new();
            walk(std::slice::from_ref(attribute), "", &mut all);
            all.iter().map(|(_, a)| a.validators.len()).sum::<usize>()
        };
        let partner = b2b_setting(B2bSettingKind::CollaborationInbound, Presence::Inherit);
        let default = b2b_setting(B2bSettingKind::CollaborationInbound, Presence::ServiceDefault);
        assert_eq!(count(&default), count(&partner) + 1);
        let partner = tenant_restrictions(Presence::Inherit);
        let default = tenant_restrictions(Presence::ServiceDefault);
        assert_eq!(count(&default), count(&partner) + 1);
        let outbound = b2b_setting(B2bSettingKind::CollaborationOutbound, Presence::ServiceDefault);
        let inbound = b2b_setting(B2bSettingKind::CollaborationInbound, Presence::ServiceDefault);
        assert_eq!(count(&outbound), count(&inbound), "outbound gets the RMS warning instead of R3");
    }
}
