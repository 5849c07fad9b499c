//! The release provider binary started the way Terraform starts it, to time its start and its schema, and started in
//! debug mode (`--debug`) so Terraform can attach to a process whose memory the bench can read.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tfplugin::testing::{ClientIdentity, Handshake, PluginClient};

/// The provider binary's file name.
pub const BINARY_NAME: &str = "terraform-provider-entra";

/// go-plugin's magic cookie for Terraform providers.
const MAGIC_COOKIE: (&str, &str) =
    ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2");

/// Timings of one start of the provider, as Terraform would experience them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StartTimings {
    /// From spawning the process to reading its handshake line.
    pub handshake: Duration,
    /// Connecting to the socket and completing the AutoMTLS handshake.
    pub connect: Duration,
    /// The first `GetProviderSchema` call over that connection.
    pub schema: Duration,
    /// The size of the encoded `GetProviderSchema` response.
    pub schema_bytes: usize,
    /// From calling go-plugin's `Shutdown` to the process's exit (Terraform waits for it).
    pub shutdown: Duration,
}

/// A provider process, killed when dropped.
#[derive(Debug)]
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the provider like Terraform does (magic cookie, protocol versions in Go's random order, a Go-like
/// `PLUGIN_CLIENT_CERT`), reads the handshake line, connects with AutoMTLS, calls `GetProviderSchema`, then
/// `Shutdown`, and waits for the process to exit.
pub fn time_one_start(
    binary: &Path,
    identity: &ClientIdentity,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<StartTimings> {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", &identity.certificate_pem)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = Running(command.spawn().with_context(|| format!("starting {}", binary.display()))?);
    let stdout = child.0.stdout.take().context("the provider's stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).context("reading the handshake line")?;
    let handshake_time = started.elapsed();
    let handshake = Handshake::parse(&line).map_err(|e| anyhow::anyhow!("bad handshake line {line:?}: {e}"))?;
    if handshake.server_certificate.is_none() {
        bail!("the handshake line carries no server certificate, so AutoMTLS is off: {line:?}");
    }

    runtime.block_on(async {
        let connecting = Instant::now();
        let client = PluginClient::connect(&handshake, Some(identity)).await.map_err(anyhow::Error::msg)?;
        let connect = connecting.elapsed();
        let calling = Instant::now();
        let response = client.get_provider_schema().await.map_err(anyhow::Error::msg)?;
        let schema = calling.elapsed();
        if response.resource_types.is_empty() {
            bail!("GetProviderSchema returned no resources");
        }
        // As go-plugin does: Shutdown, close the connection, wait for the process to exit. The wait runs on the
        // runtime, so the connection's task sees the channel go and closes the socket.
        let stopping = Instant::now();
        client.shutdown().await.map_err(anyhow::Error::msg)?;
        drop(client);
        wait_for_exit(&mut child.0, Duration::from_secs(5)).await?;
        Ok(StartTimings {
            handshake: handshake_time,
            connect,
            schema,
            schema_bytes: response.encoded_len,
            shutdown: stopping.elapsed(),
        })
    })
}

/// Times `starts` starts (after one unmeasured start that warms the page cache).
pub fn time_starts(binary: &Path, starts: usize) -> anyhow::Result<Vec<StartTimings>> {
    let identity = ClientIdentity::generate_go_like();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    time_one_start(binary, &identity, &runtime)?;
    (0..starts).map(|_| time_one_start(binary, &identity, &runtime)).collect()
}

async fn wait_for_exit(child: &mut Child, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if child.try_wait()?.is_some() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_micros(100)).await;
    }
    bail!("the provider did not exit within {limit:?} of Shutdown")
}

/// A provider started with `--debug`, serving until dropped; Terraform attaches to it through
/// `TF_REATTACH_PROVIDERS`.
#[derive(Debug)]
pub struct DebugProvider {
    child: Running,
    reattach: String,
}

impl DebugProvider {
    /// Starts `binary --debug` with exactly `env` and reads the `TF_REATTACH_PROVIDERS` value it prints.
    pub fn start(binary: &Path, env: &[(String, String)]) -> anyhow::Result<DebugProvider> {
        let mut command = Command::new(binary);
        command
            .arg("--debug")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = Running(command.spawn().with_context(|| format!("starting {} --debug", binary.display()))?);
        let mut stdout = BufReader::new(child.0.stdout.take().context("the provider's stdout")?);
        let mut line = String::new();
        while stdout.read_line(&mut line).context("reading the debug-mode instructions")? > 0 {
            if let Some(rest) = line.trim().strip_prefix("export TF_REATTACH_PROVIDERS='") {
                let reattach = rest.strip_suffix('\'').unwrap_or(rest).to_owned();
                // The provider prints more instructions after this line; closing the pipe now would kill it with
                // a write error, so the rest is read and dropped.
                std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
                return Ok(DebugProvider { child, reattach });
            }
            line.clear();
        }
        bail!("the provider in debug mode printed no TF_REATTACH_PROVIDERS value")
    }

    /// The `TF_REATTACH_PROVIDERS` value.
    pub fn reattach(&self) -> &str {
        &self.reattach
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// The peak resident set size so far (`VmHWM`), in bytes.
    pub fn peak_rss_bytes(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .context("reading the provider's /proc status")?;
        vm_hwm_bytes(&status).context("no VmHWM line in /proc/<pid>/status")
    }
}

/// The `VmHWM` line of a `/proc/<pid>/status` text, in bytes.
fn vm_hwm_bytes(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.trim_start_matches("VmHWM:").split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_from_proc_status() {
        let status = "Name:\tterraform-provider-entra\nVmPeak:\t  812 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(vm_hwm_bytes(status), Some(12345 * 1024));
        assert_eq!(vm_hwm_bytes("Name:\tx\n"), None);
        let own = std::fs::read_to_string("/proc/self/status").unwrap();
        assert!(vm_hwm_bytes(&own).unwrap() > 0);
    }
}
