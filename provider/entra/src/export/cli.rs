//! The command line of `terraform-provider-entra export`.
//!
//! The authentication flags are made from the provider's own schema: one flag per provider argument, named after
//! it (`tenant_id` → `--tenant-id`), described by its description, and falling back to the same environment
//! variables, because the values go through the provider's configuration code unchanged (see
//! [`super::tenant::Connection::open`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgGroup, ArgMatches, Command};
use entra_graph::duration::parse_go_duration;
use tfplugin::{Type, Value};

use super::Kinds;
use crate::provider::provider_schema;

/// The exit status when `--check` finds objects the configuration does not manage.
pub const EXIT_UNMANAGED: u8 = 2;

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Write configuration for the tenant into a directory.
    Export {
        /// The output directory.
        out: PathBuf,
        /// Overwrite an earlier export there.
        force: bool,
    },
    /// Report objects a configuration directory does not manage.
    Check {
        /// The configuration directory.
        dir: PathBuf,
        /// A state file to read besides (or instead of) `dir/terraform.tfstate`.
        state: Option<PathBuf>,
    },
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Export or check.
    pub mode: Mode,
    /// Which kinds of objects.
    pub kinds: Kinds,
    /// The limit for the whole command.
    pub timeout: Duration,
    /// No progress on stderr.
    pub quiet: bool,
    /// The provider configuration the authentication flags describe (an object of the provider schema; flags not
    /// given are null, so the provider falls back to the environment).
    pub provider_config: Value,
    /// Flags given on the command line that hold secrets (to warn about).
    pub secret_flags: Vec<String>,
}

/// The default for `--timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

const ABOUT: &str = "Bring an existing tenant's cross-tenant access settings under Terraform: write configuration for \
the cross-tenant access policy, the default configuration, every partner configuration and every identity \
synchronization policy, the multi-tenant organization and its templates, and every cross-tenant synchronization \
configuration with its assignments, with import blocks, so that `terraform plan` shows only imports.";

const AFTER_HELP: &str = "\
Authentication works exactly as for the provider: every flag above falls back to the environment variable its \
description names (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_USE_OIDC, ...), and credentials are tried \
in the provider's order. Prefer environment variables for secrets: command-line arguments are visible to other users \
of the machine. Reading needs the Microsoft Graph permission Policy.Read.All; naming partners needs \
CrossTenantInformation.ReadBasic.All (without it, partners are exported under their tenant ids); the multi-tenant \
organization and its templates need MultiTenantOrganization.Read.All; cross-tenant synchronization configurations \
need Application.Read.All and Synchronization.Read.All, and their assignments (read through appRoleAssignedTo) \
Application.Read.All (without these, those objects are skipped with a warning).

Output (--out): providers.tf, policy.tf, default.tf, partners.tf, identity_sync.tf, cross_tenant_sync.tf, \
multi_tenant_organization.tf and imports.tf, formatted as `terraform fmt` would. The multi-tenant organization is \
written when the tenant belongs to one, each template when it differs from its untouched default. Only settings that \
differ from inheritance (partners) or from Microsoft's service defaults (the default configuration) or the \
resources' defaults are written; assignments reference their configuration. Resource names come from each partner \
tenant's domain or name, and from each configuration's and principal's display name, and stay the same from run to \
run. Progress goes to stderr, a summary to stdout.

Check (--check DIR): lists the tenant's objects that the configuration in DIR does not manage, judged from the \
literal tenant ids, display names, references and import blocks in its .tf files and from its state \
(DIR/terraform.tfstate, or --state FILE with the output of `terraform state pull`). It counts what an export would \
write, the multi-tenant organization and synchronization configurations with their assignments included. Settings \
are not compared: `terraform plan -detailed-exitcode` does that.

Exit status: 0 success (for --check: every object is managed); 1 error (including invalid arguments); 2 --check \
found objects the configuration does not manage.

Examples:
  export ARM_TENANT_ID=... ARM_CLIENT_ID=... ARM_CLIENT_SECRET=...
  terraform-provider-entra export --out ./entra
  terraform-provider-entra export --out ./entra --only partners,identity-sync
  terraform-provider-entra export --check ./infrastructure/entra";

/// The kinds `--only` accepts.
pub const KIND_NAMES: [&str; 6] =
    ["partners", "default", "policy", "identity-sync", "multi-tenant-organization", "sync-configurations"];

/// The `export` subcommand's parser.
pub fn command() -> Command {
    let mut command = Command::new("export")
        .bin_name("terraform-provider-entra export")
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .disable_version_flag(true)
        .max_term_width(120)
        .arg(
            Arg::new("out")
                .long("out")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help_heading("Mode")
                .help("Write the configuration into DIR (created if missing; must be empty unless --force)."),
        )
        .arg(
            Arg::new("force")
                .long("force")
                .action(ArgAction::SetTrue)
                .conflicts_with("check")
                .help_heading("Mode")
                .help(
                    "Write into a non-empty DIR: replaces the files an export writes and removes .tf files of an \
                     earlier export that this one does not write; other files are kept.",
                ),
        )
        .arg(
            Arg::new("check")
                .long("check")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help_heading("Mode")
                .help("Instead of writing files, list the objects the configuration in DIR does not manage; exit 2 if any."),
        )
        .arg(
            Arg::new("state")
                .long("state")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .conflicts_with("out")
                .help_heading("Mode")
                .help(
                    "With --check: a state to read instead of DIR/terraform.tfstate (`terraform state pull > FILE`, \
                     or `terraform show -json > FILE`).",
                ),
        )
        .group(ArgGroup::new("mode").args(["out", "check"]).required(true))
        .arg(
            Arg::new("only")
                .long("only")
                .value_name("KINDS")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .value_parser(KIND_NAMES)
                .hide_possible_values(true)
                .help(
                    "Only these kinds of objects, comma-separated: partners, default, policy, identity-sync, \
                     multi-tenant-organization, sync-configurations (with their assignments). Default: all.",
                ),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("DURATION")
                .default_value("10m")
                .value_parser(|text: &str| parse_go_duration(text))
                .help("How long the whole command may take, as a Go duration (30s, 10m, 1h)."),
        )
        .arg(Arg::new("quiet").long("quiet").short('q').action(ArgAction::SetTrue).help("No progress on stderr (warnings still show)."));
    let schema = provider_schema();
    let names: Vec<String> = schema.attributes.iter().map(|a| a.name.clone()).collect();
    for attribute in schema.attributes {
        let flag = attribute.name.replace('_', "-");
        let mut help = help_text(&attribute.description, &names);
        if attribute.sensitive {
            help.push_str(" Discouraged on the command line (visible to other users of the machine): prefer the environment variable.");
        }
        let mut arg = Arg::new(attribute.name.clone())
            .long(flag)
            .help_heading("Authentication (as the provider's arguments)")
            .help(help);
        arg = match attribute.value_type() {
            Type::Bool => arg
                .value_name("BOOL")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("true")
                .value_parser(clap::value_parser!(bool)),
            _ => arg.value_name("VALUE"),
        };
        command = command.arg(arg);
    }
    command
}

/// A provider argument's Markdown description as command-line help: `` `client_certificate_path` `` becomes
/// `--client-certificate-path`, other code spans lose their backticks.
fn help_text(description: &str, arguments: &[String]) -> String {
    let mut out = String::with_capacity(description.len());
    for (i, part) in description.split('`').enumerate() {
        if i % 2 == 1 && arguments.iter().any(|a| a == part) {
            out.push_str("--");
            out.push_str(&part.replace('_', "-"));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Parses the arguments that follow `export`.
pub fn parse<I, S>(args: I) -> Result<Options, clap::Error>
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString> + Clone,
{
    let matches =
        command().try_get_matches_from(std::iter::once("export".into()).chain(args.into_iter().map(Into::into)))?;
    Ok(options(&matches))
}

fn options(matches: &ArgMatches) -> Options {
    let mode = match (matches.get_one::<PathBuf>("out"), matches.get_one::<PathBuf>("check")) {
        (Some(out), _) => Mode::Export { out: out.clone(), force: matches.get_flag("force") },
        (None, Some(dir)) => Mode::Check { dir: dir.clone(), state: matches.get_one::<PathBuf>("state").cloned() },
        // The "mode" group makes one of them required.
        (None, None) => unreachable!("clap requires --out or --check"),
    };
    let kinds = match matches.get_many::<String>("only") {
        Some(names) => {
            let names: Vec<&str> = names.map(String::as_str).collect();
            Kinds {
                partners: names.contains(&"partners"),
                default: names.contains(&"default"),
                policy: names.contains(&"policy"),
                identity_sync: names.contains(&"identity-sync"),
                multi_tenant_organization: names.contains(&"multi-tenant-organization"),
                sync_configurations: names.contains(&"sync-configurations"),
            }
        }
        None => Kinds::ALL,
    };
    let mut config: BTreeMap<String, Value> = BTreeMap::new();
    let mut secret_flags = Vec::new();
    for attribute in provider_schema().attributes {
        let value = match attribute.value_type() {
            Type::Bool => matches.get_one::<bool>(&attribute.name).map(|b| Value::bool(*b)),
            _ => matches.get_one::<String>(&attribute.name).map(|s| Value::string(s.clone())),
        };
        if value.is_some() && attribute.sensitive {
            secret_flags.push(format!("--{}", attribute.name.replace('_', "-")));
        }
        config.insert(attribute.name.clone(), value.unwrap_or(Value::Null));
    }
    Options {
        mode,
        kinds,
        timeout: matches.get_one::<Duration>("timeout").copied().unwrap_or(DEFAULT_TIMEOUT),
        quiet: matches.get_flag("quiet"),
        provider_config: Value::Object(config),
        secret_flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn export_with_defaults() {
        let options = parse(["--out", "dir"]).unwrap();
        assert_eq!(options.mode, Mode::Export { out: PathBuf::from("dir"), force: false });
        assert_eq!(options.kinds, Kinds::ALL);
        assert_eq!(options.timeout, DEFAULT_TIMEOUT);
        assert!(!options.quiet);
        let config = options.provider_config.attributes().unwrap();
        assert_eq!(config.len(), provider_schema().attributes.len(), "every provider argument, null when not given");
        assert!(config.values().all(Value::is_null));
    }

    #[test]
    fn authentication_flags_are_the_provider_arguments() {
        let options = parse([
            "--out=dir",
            "--tenant-id",
            "4b8c18bd-2f9f-4227-af55-9f1061cf9c32",
            "--client-secret=s3cret",
            "--use-oidc",
            "--use-cli=false",
            "--environment",
            "china",
        ])
        .unwrap();
        let config = &options.provider_config;
        assert_eq!(config.get_attr("tenant_id"), &Value::string("4b8c18bd-2f9f-4227-af55-9f1061cf9c32"));
        assert_eq!(config.get_attr("use_oidc"), &Value::bool(true));
        assert_eq!(config.get_attr("use_cli"), &Value::bool(false));
        assert_eq!(config.get_attr("environment"), &Value::string("china"));
        assert_eq!(options.secret_flags, ["--client-secret"]);
        for attribute in provider_schema().attributes {
            let flag = format!("--{}", attribute.name.replace('_', "-"));
            assert!(command().get_arguments().any(|a| a.get_long() == Some(&flag[2..])), "{flag}");
        }
    }

    #[test]
    fn help_names_flags_where_the_provider_names_arguments() {
        let arguments = ["client_certificate_path".to_owned()];
        assert_eq!(
            help_text("Falls back to `ARM_X`. Conflicts with `client_certificate_path`.", &arguments),
            "Falls back to ARM_X. Conflicts with --client-certificate-path."
        );
    }

    #[test]
    fn modes_and_selection() {
        let options = parse(["--check", "cfg", "--state", "s.json", "--only", "partners,identity-sync", "-q"]).unwrap();
        assert_eq!(options.mode, Mode::Check { dir: PathBuf::from("cfg"), state: Some(PathBuf::from("s.json")) });
        assert_eq!(options.kinds, Kinds { partners: true, identity_sync: true, ..Kinds::NONE });
        assert!(options.quiet);
        let options =
            parse(["--out", "o", "--force", "--only", "default", "--only", "policy", "--timeout", "90s"]).unwrap();
        assert_eq!(options.mode, Mode::Export { out: PathBuf::from("o"), force: true });
        assert_eq!(options.kinds, Kinds { default: true, policy: true, ..Kinds::NONE });
        assert_eq!(options.timeout, Duration::from_secs(90));
        let options = parse(["--check", "cfg", "--only", "sync-configurations,multi-tenant-organization"]).unwrap();
        assert_eq!(options.kinds, Kinds { sync_configurations: true, multi_tenant_organization: true, ..Kinds::NONE });
    }

    #[test]
    fn invalid_command_lines_are_refused() {
        for args in [
            vec![],
            vec!["--out", "a", "--check", "b"],
            vec!["--force"],
            vec!["--check", "b", "--force"],
            vec!["--out", "a", "--state", "s"],
            vec!["--out", "a", "--only", "partner"],
            vec!["--out", "a", "--timeout", "soon"],
            vec!["--out", "a", "--use-msi", "yes"],
            vec!["--out", "a", "--client_id", "x"],
        ] {
            assert!(parse(args.clone()).is_err(), "{args:?} should be refused");
        }
    }
}
