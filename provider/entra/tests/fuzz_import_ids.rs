//! Fuzzing import ids. `terraform import` hands the provider whatever text the user (or a script generating import
//! blocks) wrote; the provider must turn it into the right object or a clear error, never panic, never hang, never
//! send Graph anything but a well-formed lookup, and never echo invisible or control characters raw into the
//! terminal.
//!
//! - Partners and identity-sync policies: a GUID (any case, surrounding spaces ignored, spelling kept) is used
//!   without asking Graph; a domain name is looked up (registered domains resolve, in any letter case; unknown ones
//!   are a clear error); anything else is refused before Graph is asked.
//! - The singletons: exactly `default` / `policy` (surrounding spaces ignored), anything else refused.
//!
//! Case counts are proptest's defaults; a long run is `PROPTEST_CASES=200000 cargo test -p terraform-provider-entra
//! --test fuzz_import_ids --release` (see docs/reliability.md).

use std::time::Duration;

use entra_graph::auth::AuthSettings;
use entra_graph::{ConsistencyPolicy, GraphClient, GraphClientOptions, Operation, RetryPolicy};
use entra_graph_emulator::{Emulator, EmulatorConfig};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use terraform_provider_entra::resources::cross_tenant_access_policy::CrossTenantAccessPolicyResource;
use terraform_provider_entra::resources::cross_tenant_default::CrossTenantDefault;
use terraform_provider_entra::shared::import::{looks_like_domain, resolve_tenant};
use tfplugin::validators::is_guid;
use tfplugin::{Configured, Context, Diagnostics, Resource};

/// Domains of the emulator's directory fixture and the tenant each belongs to.
const DOMAINS: [(&str, &str); 6] = [
    ("contoso.com", "6babcaad-604b-40ac-a9d7-9fd97c0b779f"),
    ("contoso.onmicrosoft.com", "6babcaad-604b-40ac-a9d7-9fd97c0b779f"),
    ("fabrikam.com", "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"),
    ("truesecdetect.io", "07d2f395-f69c-43ab-88a2-b82f1151042d"),
    ("sso.osttra.com", "2f6a8c1e-4b3d-4e5f-9a7b-8c0d1e2f3a4b"),
    ("live.com", "9188040d-6c67-4c5b-b112-36a304b66dad"),
];

/// Import ids of every kind: GUIDs in any case with or without surrounding whitespace, known and unknown domains
/// in any case, keywords, and text with Unicode, control characters and terminal escape sequences.
fn import_id() -> impl Strategy<Value = String> {
    let guid = (any::<u128>(), any::<bool>()).prop_map(|(n, upper)| {
        let hex = format!("{n:032x}");
        let guid = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
        if upper { guid.to_ascii_uppercase() } else { guid }
    });
    let padding = prop::sample::select(&["", " ", "\t", "\n", "\u{200b}", "\u{00a0}"][..]);
    let known = (prop::sample::select(&DOMAINS[..]), any::<bool>())
        .prop_map(|((domain, _), upper)| if upper { domain.to_ascii_uppercase() } else { domain.to_owned() });
    prop_oneof![
        3 => (padding.clone(), guid, padding.clone()).prop_map(|(a, g, b)| format!("{a}{g}{b}")),
        3 => (padding.clone(), known, padding).prop_map(|(a, d, b)| format!("{a}{d}{b}")),
        2 => "[a-z0-9-]{1,12}(\\.[a-z0-9-]{1,8}){1,3}",
        1 => prop::sample::select(&["default", "policy", " default ", "Default", "DEFAULT", "policies"][..])
            .prop_map(str::to_owned),
        2 => ".{0,40}",
        1 => "[\\x00-\\x1f\\x7f\\x1b\\[0-9;m]{1,12}",
        1 => (1usize..4).prop_map(|n| "a.".repeat(n * 3000)),
    ]
}

/// The whole text of the diagnostics.
fn text(diagnostics: &Diagnostics) -> String {
    diagnostics.iter().map(|d| format!("{} {}", d.summary, d.detail)).collect::<Vec<_>>().join("\n")
}

/// Control characters other than line breaks must be escaped in what the user sees.
fn shows_control_characters_raw(message: &str) -> bool {
    message.chars().any(|c| c.is_control() && c != '\n')
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

#[test]
fn singleton_import_ids_are_exact_keywords() {
    let rt = runtime();
    let ctx = Context::background();
    let default = CrossTenantDefault::new(Configured::new());
    let policy = CrossTenantAccessPolicyResource::new(Configured::new());
    let mut runner = TestRunner::new(Config::default());
    runner
        .run(&import_id(), |id| {
            for (resource, keyword) in [(&default as &dyn Resource, "default"), (&policy as &dyn Resource, "policy")] {
                match rt.block_on(resource.import(&ctx, &id)) {
                    Ok(state) => {
                        prop_assert_eq!(id.trim(), keyword, "accepted {:?}", id);
                        prop_assert_eq!(state.state.get_attr("id").as_str(), Some(keyword));
                    }
                    Err(diagnostics) => {
                        prop_assert_ne!(id.trim(), keyword);
                        let message = text(&diagnostics);
                        prop_assert!(message.contains(&format!("the import id must be \"{keyword}\"")), "{message}");
                        prop_assert!(!shows_control_characters_raw(&message), "{message:?}");
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn partner_import_ids_resolve_to_the_right_tenant_or_fail_clearly() {
    let emulator = Emulator::start(EmulatorConfig::default()).expect("the emulator starts");
    let settings = AuthSettings {
        tenant_id: Some(emulator.tenant_id().to_owned()),
        client_id: Some(emulator.client_id().to_owned()),
        client_secret: Some(emulator.client_secret().to_owned()),
        graph_endpoint: Some(emulator.endpoint().to_owned()),
        authority_host: Some(emulator.endpoint().to_owned()),
        use_cli: Some(false),
        ..AuthSettings::default()
    };
    let options = GraphClientOptions {
        extra_ca_file: Some(emulator.ca_cert_file().to_owned()),
        retry: RetryPolicy::fast(),
        consistency: ConsistencyPolicy::fast(),
        ..GraphClientOptions::default()
    };
    let rt = runtime();
    let client = {
        let _guard = rt.enter();
        GraphClient::new(&settings, options).expect("the client builds")
    };
    rt.block_on(client.check_credentials(&Operation::with_timeout(Duration::from_secs(30)))).expect("a token");

    let mut runner = TestRunner::new(Config::default());
    runner
        .run(&import_id(), |id| {
            let before = emulator.stats().total;
            let op = Operation::with_timeout(Duration::from_secs(20));
            let outcome = rt.block_on(async {
                tokio::time::timeout(
                    Duration::from_secs(30),
                    resolve_tenant(&client, &op, "entra_cross_tenant_partner", &id),
                )
                .await
            });
            let outcome = outcome.map_err(|_| TestCaseError::fail(format!("{id:?} hung")))?;
            let asked_graph = emulator.stats().total > before;
            let trimmed = id.trim();
            if is_guid(trimmed) {
                prop_assert_eq!(outcome.as_deref().ok(), Some(trimmed), "a GUID is used as written");
                prop_assert!(!asked_graph, "no lookup for a GUID");
                return Ok(());
            }
            if looks_like_domain(trimmed) {
                prop_assert!(asked_graph, "{:?} is looked up", id);
                let known = DOMAINS.iter().find(|(domain, _)| domain.eq_ignore_ascii_case(trimmed));
                match (known, &outcome) {
                    (Some((_, tenant)), Ok(found)) => prop_assert_eq!(found.as_str(), *tenant),
                    (Some(_), Err(diagnostics)) => {
                        return Err(TestCaseError::fail(format!("{id:?} is registered: {}", text(diagnostics))));
                    }
                    (None, Err(diagnostics)) => {
                        prop_assert!(text(diagnostics).contains("knows no tenant with the domain"));
                    }
                    (None, Ok(found)) => return Err(TestCaseError::fail(format!("{id:?} resolved to {found}"))),
                }
            } else {
                prop_assert!(!asked_graph, "{:?} must be refused before Graph is asked", id);
                let diagnostics =
                    outcome.as_ref().err().ok_or_else(|| TestCaseError::fail(format!("{id:?} accepted")))?;
                prop_assert!(text(diagnostics).contains("Invalid import id"), "{}", text(diagnostics));
            }
            if let Err(diagnostics) = outcome {
                let message = text(&diagnostics);
                prop_assert!(!shows_control_characters_raw(&message), "{message:?}");
            }
            Ok(())
        })
        .unwrap();
}

proptest! {
    #[test]
    fn guids_and_domains_are_told_apart(id in import_id()) {
        let trimmed = id.trim();
        prop_assert!(!(is_guid(trimmed) && looks_like_domain(trimmed)));
        if looks_like_domain(trimmed) {
            prop_assert!(trimmed.is_ascii() && !trimmed.contains(char::is_whitespace));
        }
    }
}
