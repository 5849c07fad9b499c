//! go-plugin's AutoMTLS, server side.
//!
//! When Terraform starts a provider it generates a throw-away client certificate (ECDSA P-521, self-signed, marked
//! as a CA, used directly as the leaf) and passes it in `PLUGIN_CLIENT_CERT`. The provider answers with its own
//! throw-away certificate in the handshake line; each side then trusts exactly the other's certificate.
//!
//! Two details decide what works in Rust:
//! - the verifier must *pin* the client certificate (byte-for-byte comparison) instead of building a chain:
//!   rustls' WebPKI verifier rejects Terraform's certificate because it is a CA used as an end entity;
//! - signatures must be checked with aws-lc-rs: ring cannot verify P-521, and Go then sends no certificate at all.

use std::sync::Arc;

use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

/// The crypto provider for every TLS object in this crate: aws-lc-rs (see the module documentation for why).
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A freshly generated certificate and its private key.
pub(crate) struct Identity {
    pub(crate) certificate: CertificateDer<'static>,
    pub(crate) key: PrivateKeyDer<'static>,
}

/// Generates the server's throw-away certificate: ECDSA P-256, self-signed, DNS name `localhost` (the name the Go
/// client checks), usable for server and client authentication.
pub(crate) fn generate_server_identity() -> Result<Identity, String> {
    let key =
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| format!("generating the server key: {e}"))?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])
        .map_err(|e| format!("preparing the server certificate: {e}"))?;
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.distinguished_name.push(DnType::OrganizationName, "terraform-provider-entra");
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    // A little slack for clock differences; the certificate only lives as long as the process.
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(365);
    let certificate = params.self_signed(&key).map_err(|e| format!("signing the server certificate: {e}"))?;
    Ok(Identity {
        certificate: certificate.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    })
}

/// Parses the PEM certificate Terraform passes in `PLUGIN_CLIENT_CERT`.
pub(crate) fn parse_client_certificate(pem: &str) -> Result<CertificateDer<'static>, String> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))
}

/// The TLS configuration for serving Terraform: our certificate, and a client verifier that accepts only
/// `client_certificate`.
pub(crate) fn server_config(
    identity: &Identity,
    client_certificate: CertificateDer<'static>,
) -> Result<ServerConfig, String> {
    let provider = crypto_provider();
    let verifier =
        PinnedClientVerifier { expected: client_certificate, algorithms: provider.signature_verification_algorithms };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("configuring TLS: {e}"))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![identity.certificate.clone()], identity.key.clone_key())
        .map_err(|e| format!("configuring the server certificate: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts exactly one client certificate, compared byte for byte, and checks handshake signatures with it.
#[derive(Debug)]
struct PinnedClientVerifier {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!("refused a TLS client whose certificate is not the one Terraform announced");
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

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_certificate_names_localhost() {
        let identity = generate_server_identity().unwrap();
        // The DNS name travels as an IA5String inside the SAN extension.
        let der = identity.certificate.as_ref();
        assert!(der.windows(b"localhost".len()).any(|w| w == b"localhost"));
        assert!(server_config(&identity, identity.certificate.clone()).is_ok());
    }

    #[test]
    fn a_malformed_client_certificate_is_reported() {
        let err = parse_client_certificate("not a certificate").unwrap_err();
        assert!(err.contains("PLUGIN_CLIENT_CERT"), "{err}");
    }

    #[test]
    fn only_the_announced_client_certificate_is_accepted() {
        let announced = generate_server_identity().unwrap().certificate;
        let other = generate_server_identity().unwrap().certificate;
        let verifier = PinnedClientVerifier {
            expected: announced.clone(),
            algorithms: crypto_provider().signature_verification_algorithms,
        };
        assert!(verifier.verify_client_cert(&announced, &[], UnixTime::now()).is_ok());
        assert!(verifier.verify_client_cert(&other, &[], UnixTime::now()).is_err());
        assert!(verifier.supported_verify_schemes().contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }
}
