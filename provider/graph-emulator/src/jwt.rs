//! Compact JWS (JWT) encoding, decoding, RS256 signing and RS256/PS256 verification with aws-lc-rs.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls::pki_types::CertificateDer;
use serde_json::{Value, json};

/// A decoded but not yet verified JWT.
#[derive(Clone, Debug)]
pub(crate) struct Jwt {
    pub(crate) header: Value,
    pub(crate) claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jwt {
    /// Splits and decodes a compact JWS. The signature is not checked.
    pub(crate) fn decode(token: &str) -> Result<Jwt, String> {
        let mut parts = token.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("the assertion is not a compact JWS with three parts".to_owned());
        };
        let decode_json = |part: &str, what: &str| -> Result<Value, String> {
            let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| format!("the JWT {what} is not base64url"))?;
            let value: Value = serde_json::from_slice(&bytes).map_err(|_| format!("the JWT {what} is not JSON"))?;
            if value.is_object() { Ok(value) } else { Err(format!("the JWT {what} is not a JSON object")) }
        };
        Ok(Jwt {
            header: decode_json(header, "header")?,
            claims: decode_json(claims, "payload")?,
            signing_input: format!("{header}.{claims}"),
            signature: URL_SAFE_NO_PAD
                .decode(signature)
                .map_err(|_| "the JWT signature is not base64url".to_owned())?,
        })
    }

    /// The header's `alg`.
    pub(crate) fn algorithm(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or_default()
    }

    /// A string claim.
    pub(crate) fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A numeric date claim (`exp`, `nbf`, `iat`).
    pub(crate) fn claim_time(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
    }

    /// Whether `aud` (a string or an array) contains `audience`.
    pub(crate) fn has_audience(&self, matches: impl Fn(&str) -> bool) -> bool {
        match self.claims.get("aud") {
            Some(Value::String(aud)) => matches(aud),
            Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(matches),
            _ => false,
        }
    }

    /// Verifies the signature with an RSA JWK (`n`, `e`).
    pub(crate) fn verify_with_jwk(&self, jwk: &Value) -> bool {
        let component = |name: &str| jwk.get(name).and_then(Value::as_str).and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
        let (Some(n), Some(e)) = (component("n"), component("e")) else {
            return false;
        };
        let parameters = match self.algorithm() {
            "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
            "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
            _ => return false,
        };
        RsaPublicKeyComponents { n: &n, e: &e }
            .verify(parameters, self.signing_input.as_bytes(), &self.signature)
            .is_ok()
    }

    /// Verifies the signature with the public key of an X.509 certificate (DER).
    pub(crate) fn verify_with_certificate(&self, certificate_der: &[u8]) -> bool {
        let der = CertificateDer::from(certificate_der);
        let Ok(certificate) = webpki::EndEntityCert::try_from(&der) else {
            return false;
        };
        let algorithm = match self.algorithm() {
            "RS256" => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
            "PS256" => webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            _ => return false,
        };
        certificate.verify_signature(algorithm, self.signing_input.as_bytes(), &self.signature).is_ok()
    }
}

/// An RSA signing key that issues RS256 JWTs and publishes itself as a JWKS.
#[derive(Debug)]
pub(crate) struct Signer {
    key: RsaKeyPair,
    kid: String,
}

impl Signer {
    /// Generates a 2048-bit key.
    pub(crate) fn generate(kid: &str) -> anyhow::Result<Signer> {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
        Ok(Signer { key, kid: kid.to_owned() })
    }

    /// Loads a PKCS#8 RSA key.
    pub(crate) fn from_pkcs8(der: &[u8], kid: &str) -> anyhow::Result<Signer> {
        let key = RsaKeyPair::from_pkcs8(der).map_err(|e| anyhow::anyhow!("not a PKCS#8 RSA key: {e}"))?;
        Ok(Signer { key, kid: kid.to_owned() })
    }

    /// Signs `claims` with RS256 and the given extra header fields.
    pub(crate) fn sign(&self, claims: &Value, extra_header: &[(&str, Value)]) -> String {
        let mut header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        for (name, value) in extra_header {
            header[*name] = value.clone();
        }
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        // Signing with a valid key and a correctly sized buffer does not fail.
        let _ =
            self.key.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), signing_input.as_bytes(), &mut signature);
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The public key as a JWK.
    pub(crate) fn jwk(&self) -> Value {
        let public = self.key.public_key();
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_tokens_verify_with_the_jwk_and_not_after_tampering() {
        let signer = Signer::generate("k1").unwrap();
        let token = signer.sign(&json!({"sub": "s", "aud": ["a", "b"]}), &[]);
        let jwt = Jwt::decode(&token).unwrap();
        assert_eq!(jwt.algorithm(), "RS256");
        assert_eq!(jwt.header["kid"], "k1");
        assert!(jwt.has_audience(|a| a == "b"));
        assert!(jwt.verify_with_jwk(&signer.jwk()));
        let other = Signer::generate("k2").unwrap();
        assert!(!jwt.verify_with_jwk(&other.jwk()));
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(json!({"sub": "evil"}).to_string());
        parts[1] = &forged;
        assert!(!Jwt::decode(&parts.join(".")).unwrap().verify_with_jwk(&signer.jwk()));
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        assert!(Jwt::decode("a.b").is_err());
        assert!(Jwt::decode("a.b.c.d").is_err());
        assert!(Jwt::decode("!!.e30.").is_err());
        assert!(Jwt::decode(&format!("{}.e30.", URL_SAFE_NO_PAD.encode("[1]"))).is_err());
    }
}
