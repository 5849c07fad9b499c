//! Serving a provider to Terraform: the go-plugin handshake, AutoMTLS, process lifetime, and debug/test modes.
//!
//! Three ways to serve:
//! - [`serve`]: Terraform started us. Check the magic cookie and protocol versions, listen on a fresh unix socket,
//!   print exactly one handshake line on stdout, serve until Terraform calls `GRPCController.Shutdown` or our parent
//!   process dies.
//! - [`serve_debug`]: a developer started us with `--debug`. Serve plaintext and print a `TF_REATTACH_PROVIDERS`
//!   value to paste into another shell; stay up until Ctrl-C.
//! - [`InProcessServer`]: the acceptance tests serve any [`Provider`] on a background thread of the test process
//!   and point Terraform at it through reattach.
//!
//! With reattach, Terraform treats the provider as unmanaged: no TLS, no Shutdown call, no kill. `"Test": true`
//! in the reattach value is what tells go-plugin so; it is also required for protocol 6 (without it go-plugin
//! forgets the negotiated version and Terraform takes the protocol 5 path).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::net::{UnixListener, UnixStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::provider::Provider;
use crate::server::ProviderService;
use crate::stream::PluginStream;
use crate::tls;

/// The magic cookie Terraform sets for its plugins (`TF_PLUGIN_MAGIC_COOKIE`).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform sets it to.
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's core protocol version, the first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version we speak.
pub const PROTOCOL_VERSION: u32 = 6;

/// How long a connection may take to finish its TLS handshake before we drop it.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After Shutdown, how long in-flight responses (the Shutdown reply itself) get before the process exits.
/// Terraform kills the process 2 s after asking it to shut down.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);
/// How often to check whether Terraform, our parent, is still alive.
const PARENT_POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The part of the environment go-plugin's handshake reads.
#[derive(Debug, Clone, Default)]
pub struct PluginEnv {
    /// `TF_PLUGIN_MAGIC_COOKIE`.
    pub magic_cookie: Option<String>,
    /// `PLUGIN_PROTOCOL_VERSIONS`, e.g. `5,6` (in any order).
    pub protocol_versions: Option<String>,
    /// `PLUGIN_CLIENT_CERT`: Terraform's AutoMTLS client certificate, PEM.
    pub client_cert: Option<String>,
    /// `TF_DISABLE_PLUGIN_TLS` is set (non-empty): Terraform serves and expects plaintext.
    pub tls_disabled: bool,
    /// `PLUGIN_UNIX_SOCKET_DIR`: where to create the socket, instead of the temp dir.
    pub socket_dir: Option<PathBuf>,
}

impl PluginEnv {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        let var = |name: &str| std::env::var(name).ok();
        PluginEnv {
            magic_cookie: var(MAGIC_COOKIE_KEY),
            protocol_versions: var("PLUGIN_PROTOCOL_VERSIONS"),
            client_cert: var("PLUGIN_CLIENT_CERT").filter(|c| !c.trim().is_empty()),
            tls_disabled: var("TF_DISABLE_PLUGIN_TLS").is_some_and(|v| !v.is_empty()),
            socket_dir: var("PLUGIN_UNIX_SOCKET_DIR").filter(|d| !d.is_empty()).map(PathBuf::from),
        }
    }
}

/// Why the provider could not start serving; the message is meant for a human.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupError(pub String);

impl std::fmt::Display for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartupError {}

/// Parses `PLUGIN_PROTOCOL_VERSIONS` as a set. Terraform lists them in random order (`5,6` or `6,5`).
pub fn parse_protocol_versions(text: &str) -> Result<BTreeSet<u32>, StartupError> {
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<u32>().map_err(|_| {
                StartupError(format!("PLUGIN_PROTOCOL_VERSIONS has an invalid entry {v:?} (in {text:?})."))
            })
        })
        .collect()
}

/// What the handshake decided.
pub(crate) struct Negotiated {
    /// TLS settings, or `None` to serve plaintext.
    pub(crate) tls: Option<(rustls::ServerConfig, Vec<u8>)>,
}

/// Checks the environment Terraform gave us and prepares TLS. Every failure has a message for a human.
pub(crate) fn negotiate(env: &PluginEnv, binary_name: &str) -> Result<Negotiated, StartupError> {
    if env.magic_cookie.as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(StartupError(format!(
            "{binary_name} is a Terraform provider plugin: Terraform starts it when a configuration uses the \
             provider, and it is not meant to be run by hand.\n\n\
             To use it, declare the provider in a Terraform configuration (see the README).\n\
             To debug it, run `{binary_name} --debug` and follow the instructions it prints."
        )));
    }
    // go-plugin leaves the variable unset when the client offers only its default version, which for Terraform's
    // provider protocol is 6.
    if let Some(text) = &env.protocol_versions {
        let offered = parse_protocol_versions(text)?;
        if !offered.contains(&PROTOCOL_VERSION) {
            let offered: Vec<String> = offered.iter().map(u32::to_string).collect();
            return Err(StartupError(format!(
                "Terraform offered plugin protocol version(s) {}, but this provider speaks only protocol \
                 {PROTOCOL_VERSION}, which needs Terraform 1.0 or newer. Upgrade Terraform.",
                offered.join(", ")
            )));
        }
    }
    let tls = match &env.client_cert {
        Some(pem) => {
            let client = tls::parse_client_certificate(pem).map_err(StartupError)?;
            let identity = tls::generate_server_identity().map_err(StartupError)?;
            let config = tls::server_config(&identity, client).map_err(StartupError)?;
            Some((config, identity.certificate.to_vec()))
        }
        None if env.tls_disabled => None,
        None => {
            return Err(StartupError(
                "Terraform did not send PLUGIN_CLIENT_CERT, so the connection cannot be authenticated. \
                 Terraform always sends it unless TF_DISABLE_PLUGIN_TLS is set; set TF_DISABLE_PLUGIN_TLS=1 to \
                 serve without TLS on purpose."
                    .to_owned(),
            ));
        }
    };
    Ok(Negotiated { tls })
}

/// The handshake line: `1|6|unix|<socket>|grpc|<base64 DER certificate, no padding>`.
pub(crate) fn handshake_line(socket: &Path, server_certificate: Option<&[u8]>) -> String {
    let certificate =
        server_certificate.map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der)).unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|unix|{}|grpc|{certificate}\n", socket.display())
}

/// A fresh private directory and the socket path inside it. The directory is removed when dropped.
///
/// Only this user may enter the directory (mode 0700, as go-plugin's own socket directories), so other local users
/// cannot even reach the socket, whatever the umask; AutoMTLS then keeps out everyone but Terraform.
fn socket_location(base: Option<&Path>) -> std::io::Result<(tempfile::TempDir, PathBuf)> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut builder = tempfile::Builder::new();
    builder.prefix("plugin").permissions(std::fs::Permissions::from_mode(0o700));
    let dir = match base {
        Some(base) => builder.tempdir_in(base)?,
        None => builder.tempdir()?,
    };
    let socket = dir.path().join("provider.sock");
    Ok((dir, socket))
}

/// Serves `provider` to Terraform, which started this process. Blocks until Terraform is done; returns the
/// process exit code. Writes the handshake line (and nothing else) to stdout.
///
/// `binary_name` is used in messages for humans who run the binary by hand.
pub fn serve(provider: impl Provider, binary_name: &str) -> ExitCode {
    let env = PluginEnv::from_process();
    let negotiated = match negotiate(&env, binary_name) {
        Ok(negotiated) => negotiated,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Unable to start the provider: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve_managed(Arc::new(provider), &env, negotiated, &mut std::io::stdout()));
    // Anything still running (a stuck request, say) must not keep the process alive after Shutdown.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("The provider stopped with an error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A small runtime: one thread is plenty for a provider and keeps start-up fast and memory low.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// The managed mode's event loop, separated from process concerns so tests can drive it.
pub(crate) async fn serve_managed(
    provider: Arc<dyn Provider>,
    env: &PluginEnv,
    negotiated: Negotiated,
    stdout: &mut dyn Write,
) -> std::io::Result<()> {
    let (_dir, socket) = socket_location(env.socket_dir.as_deref())?;
    let listener = UnixListener::bind(&socket)?;
    let (acceptor, certificate) = match negotiated.tls {
        Some((config, certificate)) => (Some(TlsAcceptor::from(Arc::new(config))), Some(certificate)),
        None => (None, None),
    };
    let shutdown = CancellationToken::new();
    watch_parent(shutdown.clone());
    ignore_interrupts(shutdown.clone());

    // From here on stdout carries the handshake line and nothing else.
    stdout.write_all(handshake_line(&socket, certificate.as_deref()).as_bytes())?;
    stdout.flush()?;
    tracing::info!(socket = %socket.display(), tls = acceptor.is_some(), "serving Terraform");

    run(provider, listener, acceptor, shutdown.clone(), ShutdownRpc::Exits).await
}

/// What `GRPCController.Shutdown` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShutdownRpc {
    /// Stop serving (Terraform started us and is done with us).
    Exits,
    /// Ignore it (debug and test modes serve many Terraform commands).
    Ignored,
}

/// Serves the gRPC services on `listener` until `shutdown` is cancelled (by the Shutdown RPC, a signal or the
/// caller), then gives in-flight responses a moment to go out.
pub(crate) async fn run(
    provider: Arc<dyn Provider>,
    listener: UnixListener,
    acceptor: Option<TlsAcceptor>,
    shutdown: CancellationToken,
    shutdown_rpc: ShutdownRpc,
) -> std::io::Result<()> {
    use crate::generated::plugin::grpc_controller_server::GrpcControllerServer;
    use crate::generated::tfplugin6::provider_server::ProviderServer;

    let service = ProviderServer::new(ProviderService::new(provider))
        // Plans and states of big configurations exceed tonic's 4 MiB default; go-plugin allows 2 GiB.
        .max_decoding_message_size(usize::MAX)
        .max_encoding_message_size(usize::MAX);
    let controller = GrpcControllerServer::new(Controller { shutdown: shutdown.clone(), mode: shutdown_rpc });
    // go-plugin clients may health-check the "plugin" service.
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter.set_service_status("plugin", tonic_health::ServingStatus::Serving).await;

    let (connections, incoming) = tokio::sync::mpsc::channel::<std::io::Result<PluginStream>>(16);
    let accept_loop = tokio::spawn(accept_connections(listener, acceptor, connections, shutdown.clone()));

    let server = tonic::transport::Server::builder()
        .add_service(service)
        .add_service(controller)
        .add_service(health_service)
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::ReceiverStream::new(incoming),
            shutdown.clone().cancelled_owned(),
        );
    let server = tokio::spawn(server);
    shutdown.cancelled().await;
    accept_loop.abort();
    // Graceful shutdown waits for clients to hang up; Terraform may not, so bound the wait.
    match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        Ok(Ok(Err(e))) => Err(std::io::Error::other(e)),
        _ => Ok(()),
    }
}

/// Accepts connections, completing TLS handshakes concurrently so one slow client cannot block others.
async fn accept_connections(
    listener: UnixListener,
    acceptor: Option<TlsAcceptor>,
    connections: tokio::sync::mpsc::Sender<std::io::Result<PluginStream>>,
    shutdown: CancellationToken,
) {
    loop {
        let stream: UnixStream = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Errors such as running out of file descriptors persist for a while; do not spin on them.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(acceptor) = acceptor.clone() else {
            if connections.send(Ok(PluginStream::Plain(stream))).await.is_err() {
                return;
            }
            continue;
        };
        let connections = connections.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = connections.send(Ok(PluginStream::Tls(Box::new(tls)))).await;
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "TLS handshake failed; connection refused"),
                Err(_) => tracing::warn!("TLS handshake timed out; connection dropped"),
            }
        });
    }
}

/// Exits when our parent (Terraform) goes away, so a crashed Terraform does not leave orphaned providers behind.
fn watch_parent(shutdown: CancellationToken) {
    let parent = std::os::unix::process::parent_id();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(PARENT_POLL_INTERVAL);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = ticker.tick() => {}
            }
            if std::os::unix::process::parent_id() != parent {
                tracing::warn!("Terraform (our parent process) has exited; shutting down");
                shutdown.cancel();
                return;
            }
        }
    });
}

/// Terraform handles Ctrl-C itself (it calls StopProvider); the interrupt also reaches us because we share its
/// process group, and dying on it would make Terraform lose the provider mid-operation. SIGTERM still stops us.
fn ignore_interrupts(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupts), Ok(mut terminations)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    else {
        tracing::warn!("unable to install signal handlers");
        return;
    };
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = interrupts.recv() => tracing::info!("interrupt received; waiting for Terraform to stop us"),
                _ = terminations.recv() => {
                    tracing::info!("terminated; shutting down");
                    shutdown.cancel();
                    return;
                }
            }
        }
    });
}

/// go-plugin's `GRPCController` service.
#[derive(Debug)]
struct Controller {
    shutdown: CancellationToken,
    mode: ShutdownRpc,
}

#[tonic::async_trait]
impl crate::generated::plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _request: tonic::Request<crate::generated::plugin::Empty>,
    ) -> Result<tonic::Response<crate::generated::plugin::Empty>, tonic::Status> {
        match self.mode {
            ShutdownRpc::Exits => {
                tracing::debug!("Terraform asked the plugin to shut down");
                self.shutdown.cancel();
            }
            ShutdownRpc::Ignored => tracing::debug!("ignoring Shutdown: serving in debug mode"),
        }
        Ok(tonic::Response::new(crate::generated::plugin::Empty {}))
    }
}

/// The value of `TF_REATTACH_PROVIDERS` that points Terraform at a provider served on `socket` by process `pid`.
///
/// `address` is the provider's source address, e.g. `registry.terraform.io/entra-tools/entra`.
pub fn reattach_config(address: &str, socket: &Path, pid: u32) -> String {
    let entry = serde_json::json!({
        "Protocol": "grpc",
        "ProtocolVersion": PROTOCOL_VERSION,
        "Pid": pid,
        // Test: Terraform neither calls Shutdown nor kills the process, and go-plugin keeps the negotiated
        // protocol version (without it Terraform would take the protocol 5 path).
        "Test": true,
        "Addr": { "Network": "unix", "String": socket.display().to_string() },
    });
    serde_json::json!({ address: entry }).to_string()
}

/// Serves `provider` for a developer: plaintext on a unix socket, printing the `TF_REATTACH_PROVIDERS` value to
/// use in another shell, until Ctrl-C. `address` is the provider's source address.
pub fn serve_debug(provider: impl Provider, address: &str) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Unable to start the provider: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: std::io::Result<()> = runtime.block_on(async {
        let (_dir, socket) = socket_location(None)?;
        let listener = UnixListener::bind(&socket)?;
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        });
        let reattach = reattach_config(address, &socket, std::process::id());
        #[allow(clippy::print_stdout)] // In debug mode these instructions are the product.
        {
            println!("Provider started. To attach Terraform to it, run this in the shell where you run Terraform:");
            println!();
            println!("\texport TF_REATTACH_PROVIDERS='{reattach}'");
            println!();
            println!("Terraform then uses this process instead of starting the provider itself (no `terraform init`");
            println!("download is needed for it). Stop it with Ctrl-C.");
        }
        std::io::stdout().flush()?;
        run(Arc::new(provider), listener, None, shutdown, ShutdownRpc::Ignored).await
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("The provider stopped with an error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A provider served on a background thread of the current process, for tests that drive Terraform through
/// `TF_REATTACH_PROVIDERS`. Stops when dropped.
#[derive(Debug)]
pub struct InProcessServer {
    socket: PathBuf,
    shutdown: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl InProcessServer {
    /// Starts serving `provider`. The socket accepts connections as soon as this returns.
    pub fn start(provider: impl Provider) -> std::io::Result<Self> {
        let (dir, socket) = socket_location(None)?;
        // Bind here, so Terraform can connect the moment we return.
        let listener = std::os::unix::net::UnixListener::bind(&socket)?;
        listener.set_nonblocking(true)?;
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let provider: Arc<dyn Provider> = Arc::new(provider);
        let thread = std::thread::Builder::new().name("provider-server".to_owned()).spawn(move || {
            let runtime = match runtime() {
                Ok(runtime) => runtime,
                Err(e) => {
                    tracing::error!(error = %e, "unable to start the in-process provider runtime");
                    return;
                }
            };
            runtime.block_on(async move {
                match UnixListener::from_std(listener) {
                    Ok(listener) => {
                        if let Err(e) = run(provider, listener, None, stop, ShutdownRpc::Ignored).await {
                            tracing::error!(error = %e, "the in-process provider server failed");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "unable to use the provider socket"),
                }
            });
            runtime.shutdown_timeout(Duration::from_millis(100));
        })?;
        Ok(InProcessServer { socket, shutdown, thread: Some(thread), _dir: dir })
    }

    /// The unix socket the provider listens on.
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// The value of `TF_REATTACH_PROVIDERS` for this server, registered under the source `address`
    /// (e.g. `registry.terraform.io/entra-tools/entra`).
    pub fn reattach_config(&self, address: &str) -> String {
        reattach_config(address, &self.socket, std::process::id())
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        self.shutdown.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for InProcessServer {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> PluginEnv {
        PluginEnv {
            magic_cookie: Some(MAGIC_COOKIE_VALUE.to_owned()),
            protocol_versions: Some("5,6".to_owned()),
            client_cert: None,
            tls_disabled: true,
            socket_dir: None,
        }
    }

    #[test]
    fn protocol_versions_are_a_set_in_any_order() {
        for text in ["5,6", "6,5", "6", " 6 , 5 "] {
            assert!(negotiate(&PluginEnv { protocol_versions: Some(text.to_owned()), ..env() }, "p").is_ok(), "{text}");
        }
        assert_eq!(parse_protocol_versions("6,5").unwrap(), BTreeSet::from([5, 6]));
        let err = negotiate(&PluginEnv { protocol_versions: Some("5".to_owned()), ..env() }, "p").err().unwrap();
        assert!(err.0.contains("offered plugin protocol version(s) 5"), "{err}");
        assert!(parse_protocol_versions("5,x").is_err());
    }

    #[test]
    fn the_socket_directory_is_private_whatever_the_base() {
        use std::os::unix::fs::PermissionsExt as _;
        let base = tempfile::tempdir().unwrap();
        for base in [None, Some(base.path())] {
            let (dir, socket) = socket_location(base).unwrap();
            let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{mode:o}");
            assert_eq!(socket.parent(), Some(dir.path()));
        }
    }

    #[test]
    fn a_missing_cookie_gets_a_human_explanation() {
        let err = negotiate(&PluginEnv { magic_cookie: None, ..env() }, "terraform-provider-x").err().unwrap();
        assert!(err.0.contains("not meant to be run by hand"), "{err}");
        assert!(err.0.contains("terraform-provider-x --debug"), "{err}");
    }

    #[test]
    fn plaintext_needs_tf_disable_plugin_tls() {
        let err = negotiate(&PluginEnv { tls_disabled: false, ..env() }, "p").err().unwrap();
        assert!(err.0.contains("TF_DISABLE_PLUGIN_TLS"), "{err}");
        assert!(negotiate(&env(), "p").unwrap().tls.is_none());
    }

    #[test]
    fn the_handshake_line_has_six_fields_and_unpadded_base64() {
        let line = handshake_line(Path::new("/tmp/x/provider.sock"), Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|6|unix|/tmp/x/provider.sock|grpc|AQIDBA\n");
        assert_eq!(handshake_line(Path::new("/s"), None), "1|6|unix|/s|grpc|\n");
    }

    #[test]
    fn reattach_config_marks_the_provider_as_test() {
        let json: serde_json::Value =
            serde_json::from_str(&reattach_config("registry.terraform.io/a/b", Path::new("/s"), 42)).unwrap();
        let entry = &json["registry.terraform.io/a/b"];
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/s");
    }
}
