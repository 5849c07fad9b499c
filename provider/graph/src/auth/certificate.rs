//! Client certificate credentials, done by hand.
//!
//! azure_identity's `ClientCertificateCredential` needs OpenSSL, which this project may not depend on (CI machines
//! have no system libraries). What that credential does is small: it signs a JWT with the certificate's private
//! key and sends it as a client assertion. So this module loads the certificate (PKCS#12, or PEM with the
//! certificate and key), signs the assertion with aws-lc-rs, and hands it to azure_identity's
//! `ClientAssertionCredential`, which does the token request and caching.
//!
//! The assertion follows the Microsoft identity platform's certificate-credential format: header `alg` PS256 with
//! the certificate's SHA-256 thumbprint in `x5t#S256` (and the SHA-1 thumbprint in `x5t`, which older verifiers
//! look for); claims `aud` (the token endpoint), `iss` = `sub` = the client id, a random `jti`, and a short
//! `nbf`/`exp` window. Entra accepts only RSA keys for certificate credentials.

use aws_lc_rs::{digest, rand::SystemRandom, signature};
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::Engine as _;
use std::fmt;
use std::sync::Arc;

/// How long a signed assertion stays valid. It is used once, straight away, so a short life limits replay.
const ASSERTION_LIFETIME_SECONDS: i64 = 600;

/// Which RSA signature scheme the assertion uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssertionAlgorithm {
    /// RSASSA-PSS with SHA-256, the identity platform's recommendation.
    #[default]
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, for verifiers that know only RS256.
    Rs256,
}

impl AssertionAlgorithm {
    fn jwt_name(self) -> &'static str {
        match self {
            AssertionAlgorithm::Ps256 => "PS256",
            AssertionAlgorithm::Rs256 => "RS256",
        }
    }
}

/// Why a certificate could not be used. The text names the likely cause (wrong password, not RSA, no key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CertificateError(String);

/// A client certificate and its RSA private key, ready to sign assertions. The key never leaves this type, and
/// `Debug` shows only the thumbprint.
pub struct ClientCertificate {
    key: signature::RsaKeyPair,
    certificate_der: Vec<u8>,
    algorithm: AssertionAlgorithm,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("sha256_thumbprint", &self.sha256_thumbprint())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Loads a certificate from the bytes of a PKCS#12 (`.pfx`/`.p12`) file or a PEM file that holds the
    /// certificate and its private key (PKCS#8, PKCS#1, or password-encrypted PKCS#8). The format is detected
    /// from the content, so a file's extension does not matter.
    pub fn from_bytes(bytes: &[u8], password: Option<&str>) -> Result<Self, CertificateError> {
        if looks_like_pem(bytes) {
            Self::from_pem(bytes, password)
        } else {
            Self::from_pkcs12(bytes, password.unwrap_or(""))
        }
    }

    /// Loads a PKCS#12 archive. An archive without a password uses the empty password, as OpenSSL does.
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Self, CertificateError> {
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, password, p12_keystore::Pkcs12ImportPolicy::Relaxed)
            .map_err(|e| {
                CertificateError(format!(
                    "could not open the PKCS#12 certificate ({e}); check client_certificate_password"
                ))
            })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| CertificateError("the PKCS#12 certificate holds no private key".into()))?;
        let leaf = chain
            .certs()
            .first()
            .ok_or_else(|| CertificateError("the PKCS#12 archive holds a key but no certificate for it".into()))?;
        let key = rsa_key_from_pkcs8(chain.key().as_der())?;
        Ok(ClientCertificate { key, certificate_der: leaf.as_der().to_vec(), algorithm: AssertionAlgorithm::default() })
    }

    /// Loads a PEM file holding a certificate and its private key. The first certificate is the one registered
    /// with the app; further certificates (a chain) are ignored.
    pub fn from_pem(bytes: &[u8], password: Option<&str>) -> Result<Self, CertificateError> {
        let text = std::str::from_utf8(bytes).map_err(|_| CertificateError("the PEM file is not text".into()))?;
        let blocks = pem_blocks(text)?;
        let certificate_der = blocks
            .iter()
            .find(|(label, _)| label == "CERTIFICATE")
            .map(|(_, der)| der.clone())
            .ok_or_else(|| CertificateError("the PEM file holds no CERTIFICATE block".into()))?;
        let key = blocks
            .iter()
            .find_map(|(label, der)| match label.as_str() {
                "PRIVATE KEY" => Some(rsa_key_from_pkcs8(der)),
                "RSA PRIVATE KEY" => Some(
                    signature::RsaKeyPair::from_der(der)
                        .map_err(|e| CertificateError(format!("the RSA PRIVATE KEY block is not usable: {e}"))),
                ),
                "ENCRYPTED PRIVATE KEY" => Some(decrypt_pkcs8(der, password).and_then(|d| rsa_key_from_pkcs8(&d))),
                "EC PRIVATE KEY" => Some(Err(not_rsa())),
                _ => None,
            })
            .ok_or_else(|| CertificateError("the PEM file holds no private key block".into()))??;
        Ok(ClientCertificate { key, certificate_der, algorithm: AssertionAlgorithm::default() })
    }

    /// Chooses the signature scheme (PS256 unless changed).
    pub fn with_algorithm(mut self, algorithm: AssertionAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The certificate's SHA-256 thumbprint, base64url-encoded as in the `x5t#S256` JWT header.
    pub fn sha256_thumbprint(&self) -> String {
        base64url(digest::digest(&digest::SHA256, &self.certificate_der).as_ref())
    }

    /// The certificate's SHA-1 thumbprint, base64url-encoded as in the `x5t` JWT header.
    pub fn sha1_thumbprint(&self) -> String {
        base64url(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &self.certificate_der).as_ref())
    }

    /// Signs a client assertion for `client_id`, addressed to the token endpoint `audience`, valid from `now`
    /// (seconds since the Unix epoch).
    pub fn sign_assertion(&self, client_id: &str, audience: &str, now: i64) -> Result<String, CertificateError> {
        let header = serde_json::json!({
            "alg": self.algorithm.jwt_name(),
            "typ": "JWT",
            "x5t": self.sha1_thumbprint(),
            "x5t#S256": self.sha256_thumbprint(),
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        });
        let signing_input =
            format!("{}.{}", base64url(header.to_string().as_bytes()), base64url(claims.to_string().as_bytes()));
        let scheme: &dyn signature::RsaEncoding = match self.algorithm {
            AssertionAlgorithm::Ps256 => &signature::RSA_PSS_SHA256,
            AssertionAlgorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
        };
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(scheme, &SystemRandom::new(), signing_input.as_bytes(), &mut signature)
            .map_err(|_| CertificateError("signing the client assertion failed".into()))?;
        Ok(format!("{signing_input}.{}", base64url(&signature)))
    }
}

fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn not_rsa() -> CertificateError {
    CertificateError("the certificate's key is not an RSA key; Microsoft Entra accepts only RSA certificates".into())
}

fn rsa_key_from_pkcs8(der: &[u8]) -> Result<signature::RsaKeyPair, CertificateError> {
    signature::RsaKeyPair::from_pkcs8(der).map_err(|e| {
        // An EC or Ed25519 PKCS#8 key parses as PKCS#8 but not as RSA; say so rather than "invalid encoding".
        if pkcs8::PrivateKeyInfoRef::try_from(der).is_ok_and(|info| info.algorithm.oid != RSA_ENCRYPTION_OID) {
            not_rsa()
        } else {
            CertificateError(format!("the private key is not usable: {e}"))
        }
    })
}

/// rsaEncryption, the algorithm identifier of RSA keys in PKCS#8.
const RSA_ENCRYPTION_OID: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn decrypt_pkcs8(der: &[u8], password: Option<&str>) -> Result<Vec<u8>, CertificateError> {
    let password = password
        .ok_or_else(|| CertificateError("the private key is encrypted; set client_certificate_password".into()))?;
    let encrypted = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der)
        .map_err(|e| CertificateError(format!("the ENCRYPTED PRIVATE KEY block is malformed: {e}")))?;
    let document = encrypted
        .decrypt(password)
        .map_err(|_| CertificateError("could not decrypt the private key; check client_certificate_password".into()))?;
    Ok(document.as_bytes().to_vec())
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    bytes[start..].starts_with(b"-----BEGIN ")
}

/// Splits PEM text into (label, DER) blocks. Text outside blocks (comments, "Bag Attributes" lines that OpenSSL
/// writes) is ignored, as PEM readers conventionally do.
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, CertificateError> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) {
            current = Some((label.to_owned(), String::new()));
        } else if let Some(label) = line.strip_prefix("-----END ").and_then(|l| l.strip_suffix("-----")) {
            let (begin_label, body) = current
                .take()
                .ok_or_else(|| CertificateError(format!("the PEM file has END {label} without a BEGIN")))?;
            if begin_label != label {
                return Err(CertificateError(format!("the PEM block BEGIN {begin_label} ends with END {label}")));
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|_| CertificateError(format!("the PEM {label} block is not valid base64")))?;
            blocks.push((label.to_owned(), der));
        } else if let Some((_, body)) = current.as_mut() {
            // Encrypted legacy PEM has "Proc-Type:" headers; such keys are not supported and fail to decode.
            body.push_str(line);
        }
    }
    Ok(blocks)
}

/// The client assertion azure_identity's `ClientAssertionCredential` asks for: a freshly signed JWT each time,
/// because each one expires quickly and is meant to be used once.
#[derive(Debug)]
pub(crate) struct CertificateAssertion {
    pub(crate) certificate: Arc<ClientCertificate>,
    pub(crate) client_id: String,
    /// The token endpoint URL, which is the assertion's audience.
    pub(crate) token_endpoint: String,
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.certificate
            .sign_assertion(&self.client_id, &self.token_endpoint, now)
            .map_err(|e| azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed RSA certificate and its PKCS#8 key, made with rcgen so the test owns no key material.
    fn rsa_certificate() -> (String, String, Vec<u8>) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key generation");
        let cert = rcgen::CertificateParams::new(vec!["client.example".to_owned()])
            .expect("params")
            .self_signed(&key)
            .expect("self-signed certificate");
        let spki = pem_blocks(&key.public_key_pem()).expect("public key PEM").remove(0).1;
        (cert.pem(), key.serialize_pem(), spki)
    }

    fn decode_segment(segment: &str) -> serde_json::Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(segment).expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    /// Checks a JWT's signature with the public key (SubjectPublicKeyInfo DER) of the test certificate.
    fn verify(spki_der: &[u8], jwt: &str, algorithm: &'static dyn signature::VerificationAlgorithm) {
        let spki = pkcs8::spki::SubjectPublicKeyInfoRef::try_from(spki_der).expect("spki");
        let public_key = signature::UnparsedPublicKey::new(algorithm, spki.subject_public_key.raw_bytes());
        let (signing_input, sig) = jwt.rsplit_once('.').expect("three segments");
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig).expect("signature");
        public_key.verify(signing_input.as_bytes(), &sig).expect("signature verifies");
    }

    #[test]
    fn signs_a_verifiable_ps256_assertion_from_pem() {
        let (cert_pem, key_pem, spki) = rsa_certificate();
        let combined = format!("{cert_pem}{key_pem}");
        let cert = ClientCertificate::from_bytes(combined.as_bytes(), None).expect("loads");
        let jwt = cert
            .sign_assertion(
                "11111111-1111-1111-1111-111111111111",
                "https://login.example/t/oauth2/v2.0/token",
                1_700_000_000,
            )
            .expect("signs");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode_segment(parts[0]);
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["x5t#S256"], cert.sha256_thumbprint());
        assert_eq!(header["x5t"], cert.sha1_thumbprint());
        let claims = decode_segment(parts[1]);
        assert_eq!(claims["aud"], "https://login.example/t/oauth2/v2.0/token");
        assert_eq!(claims["iss"], "11111111-1111-1111-1111-111111111111");
        assert_eq!(claims["sub"], claims["iss"]);
        assert_eq!(claims["nbf"], 1_700_000_000);
        assert_eq!(claims["exp"], 1_700_000_600);
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() == 36));
        verify(&spki, &jwt, &signature::RSA_PSS_2048_8192_SHA256);
    }

    #[test]
    fn rs256_is_available_for_older_verifiers() {
        let (cert_pem, key_pem, spki) = rsa_certificate();
        let cert = ClientCertificate::from_bytes(format!("{key_pem}\n{cert_pem}").as_bytes(), None)
            .expect("key before certificate is fine")
            .with_algorithm(AssertionAlgorithm::Rs256);
        let jwt = cert.sign_assertion("c", "aud", 0).expect("signs");
        assert_eq!(decode_segment(jwt.split('.').next().unwrap())["alg"], "RS256");
        verify(&spki, &jwt, &signature::RSA_PKCS1_2048_8192_SHA256);
    }

    #[test]
    fn loads_pkcs12_with_and_without_password() {
        let (cert_pem, key_pem, spki) = rsa_certificate();
        let cert_der = pem_blocks(&cert_pem).unwrap().remove(0).1;
        let key_der = pem_blocks(&key_pem).unwrap().remove(0).1;
        for password in ["", "correct horse"] {
            let p12 = make_pkcs12(&cert_der, &key_der, password);
            let loaded = ClientCertificate::from_bytes(&p12, Some(password)).expect("PKCS#12 loads");
            let jwt = loaded.sign_assertion("c", "aud", 0).expect("signs");
            verify(&spki, &jwt, &signature::RSA_PSS_2048_8192_SHA256);
        }
        let p12 = make_pkcs12(&cert_der, &key_der, "right");
        let err = ClientCertificate::from_bytes(&p12, Some("wrong")).unwrap_err();
        assert!(err.to_string().contains("client_certificate_password"), "{err}");
    }

    pub(crate) fn make_pkcs12(cert_der: &[u8], key_der: &[u8], password: &str) -> Vec<u8> {
        let cert = p12_keystore::Certificate::from_der(cert_der).expect("certificate");
        let key = p12_keystore::PrivateKey::from_der(key_der).expect("key");
        let chain = p12_keystore::PrivateKeyChain::new(vec![1u8, 2, 3, 4], key, [cert]);
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry("client", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
        store.writer(password).write().expect("PKCS#12 writes")
    }

    #[test]
    fn loads_an_encrypted_pkcs8_pem_key_with_its_password() {
        let (cert_pem, key_pem, spki) = rsa_certificate();
        let key_der = pem_blocks(&key_pem).unwrap().remove(0).1;
        let params =
            pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(2048, b"0123456789abcdef", [7u8; 16])
                .unwrap();
        let encrypted = pkcs8::PrivateKeyInfoRef::try_from(key_der.as_slice())
            .unwrap()
            .encrypt_with_params(params, "s3cret")
            .unwrap();
        let body = base64::engine::general_purpose::STANDARD.encode(encrypted.as_bytes());
        let encrypted_pem =
            format!("-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}\n-----END ENCRYPTED PRIVATE KEY-----\n");
        let bundle = format!("{cert_pem}{encrypted_pem}");

        let cert = ClientCertificate::from_bytes(bundle.as_bytes(), Some("s3cret")).expect("decrypts");
        verify(&spki, &cert.sign_assertion("c", "aud", 0).unwrap(), &signature::RSA_PSS_2048_8192_SHA256);

        let missing = ClientCertificate::from_bytes(bundle.as_bytes(), None).unwrap_err();
        assert!(missing.to_string().contains("set client_certificate_password"), "{missing}");
        let wrong = ClientCertificate::from_bytes(bundle.as_bytes(), Some("nope")).unwrap_err();
        assert!(wrong.to_string().contains("check client_certificate_password"), "{wrong}");
    }

    #[test]
    fn non_rsa_keys_get_a_clear_error() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["ec.example".to_owned()]).unwrap().self_signed(&key).unwrap();
        let err = ClientCertificate::from_bytes(format!("{}{}", cert.pem(), key.serialize_pem()).as_bytes(), None)
            .unwrap_err();
        assert!(err.to_string().contains("not an RSA key"), "{err}");
    }

    #[test]
    fn pem_without_key_or_certificate_is_rejected() {
        let (cert_pem, key_pem, _) = rsa_certificate();
        assert!(
            ClientCertificate::from_bytes(cert_pem.as_bytes(), None)
                .unwrap_err()
                .to_string()
                .contains("no private key")
        );
        assert!(
            ClientCertificate::from_bytes(key_pem.as_bytes(), None).unwrap_err().to_string().contains("no CERTIFICATE")
        );
    }

    #[test]
    fn debug_shows_no_key_material() {
        let (cert_pem, key_pem, _) = rsa_certificate();
        let cert = ClientCertificate::from_bytes(format!("{cert_pem}{key_pem}").as_bytes(), None).unwrap();
        let debug = format!("{cert:?}");
        assert!(debug.contains("sha256_thumbprint"));
        assert!(!debug.contains("BEGIN"));
    }
}
