//! The emulator's TLS identity: a throwaway CA generated at start and a server certificate it signs for
//! `127.0.0.1`, `::1` and `localhost`. Clients trust the CA (written as a PEM file), as they would a corporate CA.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The generated certificates and the server configuration that uses them.
#[derive(Debug)]
pub(crate) struct TlsIdentity {
    /// The CA certificate clients should trust, PEM.
    pub(crate) ca_pem: String,
    /// The rustls server configuration (ALPN h2 and http/1.1).
    pub(crate) server_config: Arc<ServerConfig>,
}

/// Generates a CA and a loopback server certificate.
pub(crate) fn generate() -> anyhow::Result<TlsIdentity> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(DnType::CommonName, "entra-graph-emulator local CA");
    ca_params.distinguished_name.push(DnType::OrganizationName, "entra-graph-emulator");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate()?;
    let mut server_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()])?;
    server_params.distinguished_name.push(DnType::CommonName, "localhost");
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params.signed_by(&server_key, &issuer)?;

    let chain = vec![server_cert.der().clone(), CertificateDer::from(ca_cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut server_config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsIdentity { ca_pem, server_config: Arc::new(server_config) })
}

/// Parses every `CERTIFICATE` block of a PEM text into DER.
pub(crate) fn certificates_from_pem(pem: &str) -> anyhow::Result<Vec<Vec<u8>>> {
    use rustls::pki_types::pem::PemObject as _;
    let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("the certificate PEM cannot be read: {e}"))?;
    if certificates.is_empty() {
        anyhow::bail!("the PEM text holds no CERTIFICATE block");
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_a_ca_and_a_usable_server_config() {
        let identity = generate().unwrap();
        assert!(identity.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(certificates_from_pem(&identity.ca_pem).unwrap().len(), 1);
        assert_eq!(identity.server_config.alpn_protocols.len(), 2);
    }

    #[test]
    fn rejects_pem_without_certificates() {
        assert!(certificates_from_pem("nothing here").is_err());
    }
}
