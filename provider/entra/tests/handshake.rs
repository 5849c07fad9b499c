//! The provider binary started by hand the way Terraform starts it: go-plugin handshake, AutoMTLS, Shutdown, parent
//! death, debug mode, and the human messages for people who run it directly.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use tfplugin::testing::{ClientIdentity, Handshake, PluginClient};

const BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-entra");
const COOKIE: (&str, &str) =
    ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2");

/// The binary with a clean plugin environment: none of the variables Terraform sets, no logging settings.
fn command() -> Command {
    let mut command = Command::new(BINARY);
    for name in [
        "TF_PLUGIN_MAGIC_COOKIE",
        "PLUGIN_PROTOCOL_VERSIONS",
        "PLUGIN_CLIENT_CERT",
        "TF_DISABLE_PLUGIN_TLS",
        "TF_LOG",
        "TF_LOG_PROVIDER",
    ] {
        command.env_remove(name);
    }
    command.env("RUST_BACKTRACE", "0").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

/// A running provider, killed when dropped so a failing test leaves nothing behind.
struct Running {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(mut command: Command) -> Running {
        let mut child = command.spawn().expect("start the provider");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Running { child, stdout }
    }

    fn first_line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read the handshake line");
        line
    }

    /// Waits up to `limit` for the process to exit; returns how long it took.
    fn wait_for_exit(&mut self, limit: Duration) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.child.try_wait().expect("poll the child").is_some() {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// Everything the process wrote to stdout after the handshake line (read after it exited).
    fn rest_of_stdout(&mut self) -> String {
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).expect("read stdout");
        rest
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

#[test]
fn run_by_hand_it_explains_itself_on_stderr_and_exits_1() {
    let output = command().output().expect("run the provider");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing on stdout: {:?}", String::from_utf8_lossy(&output.stdout));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Terraform provider plugin") && stderr.contains("--debug"), "{stderr}");
    assert!(!stderr.contains("panic"), "{stderr}");
}

#[test]
fn protocol_5_alone_is_refused_with_a_clear_error() {
    let output = command().env(COOKIE.0, COOKIE.1).env("PLUGIN_PROTOCOL_VERSIONS", "5").output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("protocol version(s) 5") && stderr.contains("protocol 6"), "{stderr}");
}

#[test]
fn without_a_client_certificate_it_refuses_plaintext_unless_tls_is_disabled() {
    let output = command().env(COOKIE.0, COOKIE.1).env("PLUGIN_PROTOCOL_VERSIONS", "6").output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("TF_DISABLE_PLUGIN_TLS"));
}

#[test]
fn automtls_handshake_accepts_only_terraforms_certificate_and_shutdown_exits_promptly() {
    let terraform = ClientIdentity::generate_go_like();
    let mut command = command();
    command
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6,5")
        .env("PLUGIN_CLIENT_CERT", &terraform.certificate_pem);
    let started = Instant::now();
    let mut provider = Running::start(command);
    let line = provider.first_line();
    let startup = started.elapsed();
    assert!(startup < Duration::from_secs(2), "handshake took {startup:?}");

    // Exactly `1|6|unix|<socket>|grpc|<base64 DER, no padding>`.
    assert!(line.ends_with('\n') && !line.contains('='), "{line:?}");
    let handshake = Handshake::parse(&line).expect("a well-formed handshake line");
    assert_eq!((handshake.core_version, handshake.protocol_version), (1, 6));
    assert_eq!((handshake.network.as_str(), handshake.protocol.as_str()), ("unix", "grpc"));
    assert!(std::path::Path::new(&handshake.address).exists(), "socket {}", handshake.address);
    assert!(handshake.server_certificate.as_ref().is_some_and(|der| der.len() > 50));

    runtime().block_on(async {
        let client = PluginClient::connect(&handshake, Some(&terraform)).await.expect("connect with Terraform's cert");
        let schema = client.get_provider_schema().await.expect("GetProviderSchema over AutoMTLS");
        assert!(schema.provider_attributes.iter().any(|a| a == "tenant_id"));
        assert_eq!(schema.server_capabilities.map(|c| c.plan_destroy), Some(true));

        let stranger = ClientIdentity::generate_go_like();
        let refused = match PluginClient::connect(&handshake, Some(&stranger)).await {
            Ok(client) => client.get_provider_schema().await.is_err(),
            Err(_) => true,
        };
        assert!(refused, "a client with another certificate must be refused");
        let refused = match PluginClient::connect(&handshake, None).await {
            Ok(client) => client.get_provider_schema().await.is_err(),
            Err(_) => true,
        };
        assert!(refused, "a client without a certificate must be refused");

        client.shutdown().await.expect("Shutdown");
    });
    let exited = provider.wait_for_exit(Duration::from_secs(2));
    assert!(exited.is_some(), "the provider must exit within 2 s of Shutdown");
    assert_eq!(provider.child.wait().expect("status").code(), Some(0));
    assert_eq!(provider.rest_of_stdout(), "", "stdout carries the handshake line and nothing else");
}

#[test]
fn with_tls_disabled_it_serves_plaintext_and_leaves_the_certificate_field_empty() {
    let mut command = command();
    command.env(COOKIE.0, COOKIE.1).env("PLUGIN_PROTOCOL_VERSIONS", "6").env("TF_DISABLE_PLUGIN_TLS", "1");
    let mut provider = Running::start(command);
    let line = provider.first_line();
    assert!(line.ends_with("|grpc|\n"), "{line:?}");
    let handshake = Handshake::parse(&line).expect("handshake");
    assert!(handshake.server_certificate.is_none());
    runtime().block_on(async {
        let client = PluginClient::connect(&handshake, None).await.expect("connect");
        client.get_provider_schema().await.expect("GetProviderSchema in plaintext");
        client.shutdown().await.expect("Shutdown");
    });
    assert!(provider.wait_for_exit(Duration::from_secs(2)).is_some());
}

#[test]
fn logs_go_to_stderr_as_hclog_json_and_never_to_stdout() {
    let mut command = command();
    command
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .env("TF_LOG_PROVIDER", "TRACE");
    let mut provider = Running::start(command);
    let handshake = Handshake::parse(&provider.first_line()).expect("handshake");
    runtime().block_on(async {
        let client = PluginClient::connect(&handshake, None).await.expect("connect");
        client.get_provider_schema().await.expect("GetProviderSchema");
        client.shutdown().await.expect("Shutdown");
    });
    assert!(provider.wait_for_exit(Duration::from_secs(2)).is_some());
    assert_eq!(provider.rest_of_stdout(), "");
    let mut stderr = String::new();
    provider.child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("read stderr");
    let lines: Vec<serde_json::Value> =
        stderr.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(lines.iter().any(|l| l["tf_rpc"] == "GetProviderSchema" && l["@level"] == "debug"), "{stderr}");
    assert!(lines.iter().all(|l| l["@message"].is_string() && l["@timestamp"].is_string()));
    assert!(!stderr.contains("panic"));
}

#[test]
fn it_exits_when_its_parent_dies() {
    // A shell stands in for Terraform: it starts the provider in the background, reports its pid, and is killed.
    let mut parent = Command::new("sh")
        .arg("-c")
        .arg("\"$0\" >/dev/null 2>&1 & echo $!; sleep 60")
        .arg(BINARY)
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .env_remove("PLUGIN_CLIENT_CERT")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the stand-in parent");
    let mut pid = String::new();
    BufReader::new(parent.stdout.take().expect("stdout")).read_line(&mut pid).expect("read the pid");
    let pid = pid.trim().to_owned();
    // Let the provider get going before its parent disappears.
    std::thread::sleep(Duration::from_millis(300));
    assert!(is_running(&pid), "the provider should be serving");
    parent.kill().expect("kill the parent");
    parent.wait().expect("reap the parent");

    let start = Instant::now();
    while is_running(&pid) && start.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let still_running = is_running(&pid);
    if still_running {
        let _ = Command::new("kill").arg("-9").arg(&pid).status();
    }
    assert!(!still_running, "the provider must exit when its parent dies");
}

/// True while the process exists and is not a zombie waiting to be reaped.
fn is_running(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses.
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn debug_mode_prints_reattach_settings_and_ignores_shutdown() {
    let mut command = command();
    command.arg("--debug");
    let mut provider = Running::start(command);
    let mut reattach = None;
    for _ in 0..20 {
        let line = provider.first_line();
        if let Some(value) = line.trim().strip_prefix("export TF_REATTACH_PROVIDERS='") {
            reattach = Some(value.trim_end_matches('\'').to_owned());
            break;
        }
    }
    let reattach = reattach.expect("an export TF_REATTACH_PROVIDERS line");
    let json: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    let entry = &json["registry.terraform.io/entra-tools/entra"];
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], provider.child.id());
    let socket = entry["Addr"]["String"].as_str().expect("socket").to_owned();
    let handshake = Handshake::parse(&format!("1|6|unix|{socket}|grpc|")).expect("handshake");
    runtime().block_on(async {
        let client = PluginClient::connect(&handshake, None).await.expect("connect");
        client.get_provider_schema().await.expect("GetProviderSchema");
        client.shutdown().await.expect("Shutdown");
        // Debug mode outlives many Terraform commands, so Shutdown does not stop it.
        tokio::time::sleep(Duration::from_millis(300)).await;
        client.get_provider_schema().await.expect("still serving after Shutdown");
    });
    let status = Command::new("kill").arg("-INT").arg(provider.child.id().to_string()).status().expect("kill");
    assert!(status.success());
    assert!(provider.wait_for_exit(Duration::from_secs(2)).is_some(), "Ctrl-C stops debug mode");
}
