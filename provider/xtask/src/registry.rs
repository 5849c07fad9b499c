//! A provider registry over HTTPS, speaking Terraform's provider registry protocol, for the releases
//! `cargo xtask package` writes: `cargo xtask serve-registry` for a private registry or an air-gapped mirror, and
//! the test that installs the provider the way users do.
//!
//! Terraform finds it through service discovery and then asks three things:
//! - `GET /.well-known/terraform.json` → `{"providers.v1": "/v1/providers/"}`;
//! - `GET /v1/providers/:namespace/:type/versions` → every version with its protocols and platforms;
//! - `GET /v1/providers/:namespace/:type/:version/download/:os/:arch` → the zip's `download_url` and `shasum`, the
//!   `shasums_url` and `shasums_signature_url`, and `signing_keys.gpg_public_keys` (key id and armoured key).
//!
//! `terraform init` then downloads `SHA256SUMS` and its signature, verifies the signature with the published key,
//! downloads the zip and checks it against its line in `SHA256SUMS`; a failure at any step stops the install.
//!
//! The registry serves the files of one directory (`/files/<name>`) and reads it on every request, so releases
//! packaged into it later appear without a restart. Only signed releases are listed: Terraform refuses a registry
//! download without a signature.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::sync::watch;

/// What to serve and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory `cargo xtask package` wrote (one or more versions).
    pub dir: PathBuf,
    /// The provider's namespace (`entra-tools`).
    pub namespace: String,
    /// The provider's type (`entra`); the files are `terraform-provider-<type>_...`.
    pub provider_type: String,
    /// The address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The URL clients reach the registry at, when not `https://<listen address>` (behind a proxy or a DNS name).
    pub public_url: Option<String>,
    /// The server certificate.
    pub tls: Tls,
    /// Print one line per request on stderr.
    pub log_requests: bool,
}

/// Where the server's certificate comes from.
#[derive(Debug, Clone)]
pub enum Tls {
    /// A throw-away CA generated at start, and a certificate it signs for `localhost`, `127.0.0.1`, `::1` and these
    /// extra host names. Clients must trust the CA ([`Registry::ca_pem`]).
    Generated {
        /// More names the certificate is valid for.
        extra_names: Vec<String>,
    },
    /// A certificate chain and private key in PEM files (an organisation's own CA).
    Files {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// The PKCS#8, PKCS#1 or SEC1 private key.
        key: PathBuf,
    },
}

/// A running registry; stopped when dropped.
#[derive(Debug)]
pub struct Registry {
    addr: SocketAddr,
    base_url: String,
    ca_pem: Option<String>,
    shutdown: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Registry {
    /// Binds the address and starts serving in a background thread.
    ///
    /// # Errors
    /// When the address cannot be bound or the certificate cannot be made or read.
    pub fn start(config: Config) -> Result<Registry, String> {
        let (server_config, ca_pem) = match &config.tls {
            Tls::Generated { extra_names } => {
                let (server_config, ca_pem) = generated_identity(extra_names)?;
                (server_config, Some(ca_pem))
            }
            Tls::Files { cert, key } => (identity_from_files(cert, key)?, None),
        };
        let listener =
            std::net::TcpListener::bind(config.listen).map_err(|e| format!("listening on {}: {e}", config.listen))?;
        listener.set_nonblocking(true).map_err(|e| format!("listening on {}: {e}", config.listen))?;
        let addr = listener.local_addr().map_err(|e| format!("the listening address: {e}"))?;
        let base_url = config
            .public_url
            .clone()
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("https://{addr}"));
        let (shutdown, stop) = watch::channel(false);
        let state = Arc::new(State { config, base_url: base_url.clone() });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("starting the registry's runtime: {e}"))?;
        let thread = std::thread::Builder::new()
            .name("provider-registry".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => serve(listener, Arc::new(server_config), state, stop).await,
                        Err(e) => eprintln!("registry: {e}"),
                    }
                });
            })
            .map_err(|e| format!("starting the registry thread: {e}"))?;
        Ok(Registry { addr, base_url, ca_pem, shutdown, thread: Some(thread) })
    }

    /// The address the registry listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://host:port`, as the registry writes it into download URLs.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `providers.v1` service URL, for a CLI configuration's `host` block.
    pub fn providers_url(&self) -> String {
        format!("{}/v1/providers/", self.base_url)
    }

    /// The generated CA's certificate (PEM), which clients must trust; `None` with a certificate from files.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Blocks until the server stops (for the command line: until the process is interrupted).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[derive(Debug)]
struct State {
    config: Config,
    base_url: String,
}

async fn serve(
    listener: tokio::net::TcpListener,
    server_config: Arc<ServerConfig>,
    state: Arc<State>,
    mut stop: watch::Receiver<bool>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let acceptor = acceptor.clone();
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let handler = service_fn(move |request: Request<Incoming>| {
                let state = Arc::clone(&state);
                async move { Ok::<_, std::convert::Infallible>(handle(&state, &request)) }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), handler)
                .await;
        });
    }
}

fn handle(state: &State, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().path();
    let response = if request.method() == Method::GET || request.method() == Method::HEAD {
        route(state, path)
    } else {
        error(StatusCode::METHOD_NOT_ALLOWED, "only GET is supported")
    };
    if state.config.log_requests {
        eprintln!("{} {path} {}", request.method(), response.status().as_u16());
    }
    response
}

fn route(state: &State, path: &str) -> Response<Full<Bytes>> {
    if path == "/.well-known/terraform.json" {
        return json_response(&json!({ "providers.v1": "/v1/providers/" }));
    }
    if let Some(name) = path.strip_prefix("/files/") {
        return file(&state.config.dir, name);
    }
    let Some(rest) = path.strip_prefix("/v1/providers/") else { return not_found() };
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let (namespace, provider_type) = match parts.as_slice() {
        [namespace, provider_type, ..] => (*namespace, *provider_type),
        _ => return not_found(),
    };
    // Registry addresses are case-insensitive.
    if !namespace.eq_ignore_ascii_case(&state.config.namespace)
        || !provider_type.eq_ignore_ascii_case(&state.config.provider_type)
    {
        return not_found();
    }
    let releases = match scan(&state.config.dir, &state.config.provider_type) {
        Ok(releases) => releases,
        Err(message) => return error(StatusCode::INTERNAL_SERVER_ERROR, &message),
    };
    match parts.as_slice() {
        [_, _, "versions"] => json_response(&versions_document(&releases)),
        [_, _, version, "download", os, arch] => {
            match download_document(&releases, &state.base_url, version, os, arch) {
                Some(document) => json_response(&document),
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}

/// The versions in `dir` the registry offers (signed) and those it leaves out (unsigned), for the command line to
/// report at start.
///
/// # Errors
/// When the directory cannot be read.
pub fn versions_in(dir: &Path, provider_type: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let served: Vec<String> = scan(dir, provider_type)?.into_keys().collect();
    let prefix = format!("terraform-provider-{provider_type}_");
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut unsigned: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(&prefix)?.strip_suffix("_SHA256SUMS").map(str::to_owned)
        })
        .filter(|version| !served.contains(version))
        .collect();
    unsigned.sort();
    Ok((served, unsigned))
}

/// One signed release found in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Release {
    /// `terraform-provider-<type>_<version>_SHA256SUMS`, and its signature with `.sig`.
    checksums_file: String,
    /// The plugin protocols from the release's manifest (`["6.0"]`).
    protocols: Vec<String>,
    /// `(os, arch)` → (zip file name, its SHA-256 from `SHA256SUMS`).
    platforms: BTreeMap<(String, String), (String, String)>,
    key_id: String,
    ascii_armor: String,
}

/// The signed releases in `dir`, by version.
fn scan(dir: &Path, provider_type: &str) -> Result<BTreeMap<String, Release>, String> {
    let prefix = format!("terraform-provider-{provider_type}_");
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut releases = BTreeMap::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(version) = name.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix("_SHA256SUMS")) else {
            continue;
        };
        let read = |suffix: &str| std::fs::read_to_string(dir.join(format!("{prefix}{version}_{suffix}")));
        let (Ok(sums), Ok(key_id), Ok(ascii_armor), true) = (
            read("SHA256SUMS"),
            read("signing_key_id"),
            read("signing_key.asc"),
            dir.join(format!("{name}.sig")).is_file(),
        ) else {
            // Unsigned: Terraform would refuse it, so it is not offered.
            continue;
        };
        let protocols = read("manifest.json")
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|manifest| {
                manifest["metadata"]["protocol_versions"]
                    .as_array()
                    .map(|versions| versions.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            })
            .unwrap_or_else(|| vec!["5.0".to_owned()]);
        let zip_prefix = format!("{prefix}{version}_");
        let mut platforms = BTreeMap::new();
        for line in sums.lines() {
            let Some((digest, file)) = line.split_once("  ") else { continue };
            let Some(platform) = file.strip_prefix(&zip_prefix).and_then(|rest| rest.strip_suffix(".zip")) else {
                continue;
            };
            let Some((os, arch)) = platform.split_once('_') else { continue };
            platforms.insert((os.to_owned(), arch.to_owned()), (file.to_owned(), digest.to_owned()));
        }
        releases.insert(
            version.to_owned(),
            Release {
                checksums_file: name.clone(),
                protocols,
                platforms,
                key_id: key_id.trim().to_owned(),
                ascii_armor,
            },
        );
    }
    Ok(releases)
}

fn versions_document(releases: &BTreeMap<String, Release>) -> serde_json::Value {
    let versions: Vec<serde_json::Value> = releases
        .iter()
        .map(|(version, release)| {
            json!({
                "version": version,
                "protocols": release.protocols,
                "platforms": release.platforms.keys().map(|(os, arch)| json!({"os": os, "arch": arch})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "versions": versions })
}

fn download_document(
    releases: &BTreeMap<String, Release>,
    base_url: &str,
    version: &str,
    os: &str,
    arch: &str,
) -> Option<serde_json::Value> {
    let release = releases.get(version)?;
    let (filename, shasum) = release.platforms.get(&(os.to_owned(), arch.to_owned()))?;
    Some(json!({
        "protocols": release.protocols,
        "os": os,
        "arch": arch,
        "filename": filename,
        "download_url": format!("{base_url}/files/{filename}"),
        "shasums_url": format!("{base_url}/files/{}", release.checksums_file),
        "shasums_signature_url": format!("{base_url}/files/{}.sig", release.checksums_file),
        "shasum": shasum,
        "signing_keys": {
            "gpg_public_keys": [{
                "key_id": release.key_id,
                "ascii_armor": release.ascii_armor,
                "trust_signature": "",
                "source": "",
                "source_url": null,
            }]
        }
    }))
}

/// A file directly inside the served directory; anything with a path separator or `..` is not found.
fn file(dir: &Path, name: &str) -> Response<Full<Bytes>> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return not_found();
    }
    match std::fs::read(dir.join(name)) {
        Ok(bytes) => Response::builder()
            .status(StatusCode::OK)
            .header(http::header::CONTENT_TYPE, "application/octet-stream")
            .body(Full::new(Bytes::from(bytes)))
            .unwrap_or_else(|_| not_found()),
        Err(_) => not_found(),
    }
}

fn json_response(value: &serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let mut response = json_response(&json!({ "errors": [message] }));
    *response.status_mut() = status;
    response
}

fn not_found() -> Response<Full<Bytes>> {
    error(StatusCode::NOT_FOUND, "Not Found")
}

fn generated_identity(extra_names: &[String]) -> Result<(ServerConfig, String), String> {
    let failed = |e: rcgen::Error| format!("generating the registry's certificate: {e}");
    let ca_key = KeyPair::generate().map_err(failed)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    ca_params.distinguished_name.push(DnType::CommonName, "terraform-provider-entra registry local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(failed)?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    names.extend(extra_names.iter().cloned());
    let server_key = KeyPair::generate().map_err(failed)?;
    let mut server_params = CertificateParams::new(names).map_err(failed)?;
    server_params.distinguished_name.push(DnType::CommonName, "terraform-provider-entra registry");
    server_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params.signed_by(&server_key, &issuer).map_err(failed)?;
    let chain = vec![server_cert.der().clone(), CertificateDer::from(ca_cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    Ok((server_config(chain, key)?, ca_pem))
}

fn identity_from_files(cert: &Path, key: &Path) -> Result<ServerConfig, String> {
    use rustls::pki_types::pem::PemObject as _;
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| format!("reading the certificate chain {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no certificate", cert.display()));
    }
    let key =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("reading the private key {}: {e}", key.display()))?;
    server_config(chain, key)
}

fn server_config(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| format!("the registry's TLS configuration: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect(name);
    }

    fn signed_release(dir: &Path, version: &str) {
        let p = format!("terraform-provider-entra_{version}");
        write(
            dir,
            &format!("{p}_SHA256SUMS"),
            &format!(
                "{}  {p}_linux_amd64.zip\n{}  {p}_manifest.json\n{}  {p}_windows_amd64.zip\n",
                "a".repeat(64),
                "b".repeat(64),
                "c".repeat(64)
            ),
        );
        write(dir, &format!("{p}_SHA256SUMS.sig"), "sig");
        write(dir, &format!("{p}_signing_key.asc"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");
        write(dir, &format!("{p}_signing_key_id"), "0123456789ABCDEF\n");
        write(dir, &format!("{p}_manifest.json"), r#"{"version":1,"metadata":{"protocol_versions":["6.0"]}}"#);
    }

    #[test]
    fn signed_releases_are_listed_with_protocols_and_platforms() {
        let dir = tempfile::tempdir().expect("temp dir");
        signed_release(dir.path(), "1.0.0");
        signed_release(dir.path(), "1.1.0");
        // An unsigned release is not offered: Terraform would refuse it.
        write(dir.path(), "terraform-provider-entra_2.0.0_SHA256SUMS", "");
        let releases = scan(dir.path(), "entra").expect("scan");
        assert_eq!(releases.keys().collect::<Vec<_>>(), vec!["1.0.0", "1.1.0"]);
        let (served, unsigned) = versions_in(dir.path(), "entra").expect("versions");
        assert_eq!((served, unsigned), (vec!["1.0.0".to_owned(), "1.1.0".to_owned()], vec!["2.0.0".to_owned()]));
        assert_eq!(
            versions_document(&releases)["versions"][0],
            json!({"version": "1.0.0", "protocols": ["6.0"], "platforms": [
                {"os": "linux", "arch": "amd64"}, {"os": "windows", "arch": "amd64"}
            ]})
        );
    }

    #[test]
    fn the_download_document_names_the_zip_its_checksums_and_the_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        signed_release(dir.path(), "1.0.0");
        let releases = scan(dir.path(), "entra").expect("scan");
        let document = download_document(&releases, "https://r.example", "1.0.0", "linux", "amd64").expect("found");
        assert_eq!(document["filename"], "terraform-provider-entra_1.0.0_linux_amd64.zip");
        assert_eq!(document["download_url"], "https://r.example/files/terraform-provider-entra_1.0.0_linux_amd64.zip");
        assert_eq!(document["shasums_url"], "https://r.example/files/terraform-provider-entra_1.0.0_SHA256SUMS");
        assert_eq!(
            document["shasums_signature_url"],
            "https://r.example/files/terraform-provider-entra_1.0.0_SHA256SUMS.sig"
        );
        assert_eq!(document["shasum"], "a".repeat(64));
        assert_eq!(document["protocols"], json!(["6.0"]));
        assert_eq!(document["signing_keys"]["gpg_public_keys"][0]["key_id"], "0123456789ABCDEF");
        assert!(download_document(&releases, "https://r.example", "1.0.0", "darwin", "arm64").is_none());
        assert!(download_document(&releases, "https://r.example", "9.9.9", "linux", "amd64").is_none());
    }

    #[test]
    fn files_outside_the_directory_are_not_served() {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "a.zip", "zip");
        assert_eq!(file(dir.path(), "a.zip").status(), StatusCode::OK);
        for name in ["../etc/passwd", "..", "", "sub/a.zip", ".hidden", "a\\b"] {
            assert_eq!(file(dir.path(), name).status(), StatusCode::NOT_FOUND, "{name}");
        }
    }
}
