//! A client that talks to a served provider the way Terraform does, for tests of the provider binary (feature
//! `testing`; nothing in the shipped provider uses it).
//!
//! It parses the handshake line, connects to the unix socket, and for AutoMTLS presents a client certificate shaped
//! like the one go-plugin generates (ECDSA P-521, self-signed CA used as a leaf) while trusting only the server
//! certificate from the handshake line.

use std::sync::Arc;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::UnixStream;
use tonic::transport::{Channel, Endpoint};

use crate::generated::plugin::Empty;
use crate::generated::plugin::grpc_controller_client::GrpcControllerClient;
use crate::generated::tfplugin6::get_provider_schema;
use crate::generated::tfplugin6::provider_client::ProviderClient;
use crate::tls::crypto_provider;

/// A client certificate and key, as go-plugin's AutoMTLS creates them.
#[derive(Debug)]
pub struct ClientIdentity {
    /// The certificate, PEM (the value Terraform puts in `PLUGIN_CLIENT_CERT`).
    pub certificate_pem: String,
    certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    /// Generates a certificate like go-plugin's: ECDSA P-521 signed with SHA-512, self-signed, `IsCA`, key usages
    /// digital signature, key encipherment, key agreement and cert sign, client and server authentication, named
    /// `localhost`, organisation HashiCorp.
    ///
    /// # Panics
    /// If key generation fails (it does not with aws-lc-rs).
    pub fn generate_go_like() -> Self {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key generation");
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("certificate parameters");
        params.distinguished_name.push(DnType::CommonName, "localhost");
        params.distinguished_name.push(DnType::OrganizationName, "HashiCorp");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth, ExtendedKeyUsagePurpose::ServerAuth];
        let certificate = params.self_signed(&key).expect("self-signing");
        ClientIdentity {
            certificate_pem: certificate.pem(),
            certificate: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// The handshake line a plugin prints: `CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// go-plugin core protocol version (1).
    pub core_version: u32,
    /// Application protocol version (6).
    pub protocol_version: u32,
    /// `unix` or `tcp`.
    pub network: String,
    /// Socket path or host:port.
    pub address: String,
    /// `grpc`.
    pub protocol: String,
    /// The server certificate (DER), when AutoMTLS is on.
    pub server_certificate: Option<Vec<u8>>,
}

impl Handshake {
    /// Parses a handshake line, strictly: six fields, and the certificate in unpadded standard base64.
    pub fn parse(line: &str) -> Result<Handshake, String> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let fields: Vec<&str> = line.split('|').collect();
        let [core, app, network, address, protocol, certificate] = fields.as_slice() else {
            return Err(format!("expected 6 fields separated by |, got {line:?}"));
        };
        let number = |s: &str| s.parse::<u32>().map_err(|_| format!("not a number: {s:?} in {line:?}"));
        let server_certificate = if certificate.is_empty() {
            None
        } else {
            Some(
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(certificate)
                    .map_err(|e| format!("the certificate is not unpadded base64: {e}"))?,
            )
        };
        Ok(Handshake {
            core_version: number(core)?,
            protocol_version: number(app)?,
            network: (*network).to_owned(),
            address: (*address).to_owned(),
            protocol: (*protocol).to_owned(),
            server_certificate,
        })
    }
}

/// A gRPC connection to a served provider.
#[derive(Debug, Clone)]
pub struct PluginClient {
    channel: Channel,
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

impl PluginClient {
    /// Connects as Terraform would: over the unix socket from the handshake, with TLS when the handshake carries
    /// a server certificate. `identity` is the client certificate to present (`None`: present none).
    pub async fn connect(handshake: &Handshake, identity: Option<&ClientIdentity>) -> Result<Self, String> {
        if handshake.network != "unix" {
            return Err(format!("only unix sockets are supported, got {}", handshake.network));
        }
        let tls = match &handshake.server_certificate {
            Some(server) => Some(Arc::new(client_config(server.clone(), identity)?)),
            None => None,
        };
        let socket = handshake.address.clone();
        let connector = tower::service_fn(move |_: tonic::codegen::http::Uri| {
            let socket = socket.clone();
            let tls = tls.clone();
            async move {
                let stream = UnixStream::connect(&socket).await?;
                let io: Box<dyn Io> = match tls {
                    Some(config) => {
                        let name = ServerName::try_from("localhost").expect("static name");
                        Box::new(tokio_rustls::TlsConnector::from(config).connect(name, stream).await?)
                    }
                    None => Box::new(stream),
                };
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(io))
            }
        });
        // The URI is required by the API but unused: the connector decides where to connect.
        let channel = Endpoint::from_static("http://localhost")
            .connect_with_connector(connector)
            .await
            .map_err(|e| format!("connecting to {}: {e}", handshake.address))?;
        Ok(PluginClient { channel })
    }

    /// The tfplugin6 client (inside the crate only: its messages are the generated protobuf types).
    pub(crate) fn provider(&self) -> ProviderClient<Channel> {
        ProviderClient::new(self.channel.clone()).max_decoding_message_size(usize::MAX)
    }

    /// go-plugin's controller client (for `Shutdown`).
    fn controller(&self) -> GrpcControllerClient<Channel> {
        GrpcControllerClient::new(self.channel.clone())
    }

    /// Calls `GetProviderSchema` and returns the response message (inside the crate only).
    pub(crate) async fn get_provider_schema_message(&self) -> Result<get_provider_schema::Response, String> {
        self.provider()
            .get_provider_schema(get_provider_schema::Request {})
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| status.to_string())
    }

    /// Calls `GetProviderSchema` and summarises the answer; a transport or gRPC failure becomes the error text.
    pub async fn get_provider_schema(&self) -> Result<SchemaSummary, String> {
        let response = self.get_provider_schema_message().await?;
        let encoded_len = prost::Message::encoded_len(&response);
        let sorted = |names: std::collections::hash_map::Keys<'_, String, _>| {
            let mut names: Vec<String> = names.cloned().collect();
            names.sort();
            names
        };
        Ok(SchemaSummary {
            provider_attributes: response
                .provider
                .and_then(|p| p.block)
                .map(|b| b.attributes.into_iter().map(|a| a.name).collect())
                .unwrap_or_default(),
            resource_types: sorted(response.resource_schemas.keys()),
            data_source_types: sorted(response.data_source_schemas.keys()),
            diagnostics: response.diagnostics.into_iter().map(|d| d.summary).collect(),
            server_capabilities: response.server_capabilities.map(|c| ServerCapabilities {
                plan_destroy: c.plan_destroy,
                get_provider_schema_optional: c.get_provider_schema_optional,
            }),
            encoded_len,
        })
    }

    /// Calls go-plugin's `GRPCController.Shutdown`, as Terraform does when it is done with a plugin.
    pub async fn shutdown(&self) -> Result<(), String> {
        self.controller().shutdown(Empty {}).await.map(|_| ()).map_err(|status| status.to_string())
    }
}

/// What a `GetProviderSchema` call answered, in plain terms (the protobuf messages stay inside this crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSummary {
    /// The attribute names of the provider configuration block, in the order sent.
    pub provider_attributes: Vec<String>,
    /// The resource type names, sorted.
    pub resource_types: Vec<String>,
    /// The data source names, sorted.
    pub data_source_types: Vec<String>,
    /// The summaries of the diagnostics sent with the schema.
    pub diagnostics: Vec<String>,
    /// The server capabilities, when sent.
    pub server_capabilities: Option<ServerCapabilities>,
    /// The size of the encoded response message, in bytes.
    pub encoded_len: usize,
}

/// The server capabilities a provider announces with its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerCapabilities {
    /// Terraform may plan destroys through the provider.
    pub plan_destroy: bool,
    /// Terraform may skip `GetProviderSchema` and use a schema it already has.
    pub get_provider_schema_optional: bool,
}

fn client_config(
    server_certificate: Vec<u8>,
    identity: Option<&ClientIdentity>,
) -> Result<rustls::ClientConfig, String> {
    let provider = crypto_provider();
    let verifier = PinnedServerVerifier {
        expected: CertificateDer::from(server_certificate),
        algorithms: provider.signature_verification_algorithms,
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(vec![identity.certificate.clone()], PrivateKeyDer::Pkcs8(identity.key.clone_key()))
            .map_err(|e| e.to_string())?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Trusts exactly the server certificate announced in the handshake line, as go-plugin's client does.
#[derive(Debug)]
struct PinnedServerVerifier {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
