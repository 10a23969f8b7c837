//! Field encryption with SM4-GCM (GB/T 32907-2016 in Galois/counter mode) and blind indexes with
//! HMAC-SM3, for personal data the PIPL and MLPS level 3 ask to keep confidential at rest
//! (DOMAIN.md §6.3). A stored value is `keyid:base64(nonce ‖ ciphertext ‖ tag)` so keys can rotate.

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use data_encoding::{BASE64, HEXLOWER};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sm3::Sm3;
use sm4::Sm4;

use crate::{Result, StoreError};

type Sm4Gcm = AesGcm<Sm4, U12>;

#[derive(Clone)]
pub struct FieldCipher {
    key_id: String,
    cipher: Sm4Gcm,
    /// Earlier keys, kept to read values written before a rotation.
    previous: Vec<(String, Sm4Gcm)>,
    index_key: Vec<u8>,
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldCipher")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Parses a 128-bit key written as 32 hex digits.
pub fn parse_key(hex: &str) -> Result<[u8; 16]> {
    let bytes = HEXLOWER
        .decode(hex.trim().to_ascii_lowercase().as_bytes())
        .map_err(|_| StoreError::Cipher("a key is 32 hexadecimal digits".into()))?;
    bytes
        .try_into()
        .map_err(|_| StoreError::Cipher("a key is 32 hexadecimal digits (128 bits)".into()))
}

/// A fresh random 128-bit key as hex.
pub fn generate_key() -> String {
    let mut k = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut k);
    HEXLOWER.encode(&k)
}

impl FieldCipher {
    pub fn new(key_id: &str, key: [u8; 16], index_key: &[u8]) -> Result<Self> {
        if key_id.is_empty() || key_id.contains(':') {
            return Err(StoreError::Cipher("a key id is non-empty and has no ':'".into()));
        }
        Ok(Self {
            key_id: key_id.to_owned(),
            cipher: Sm4Gcm::new(&key.into()),
            previous: Vec::new(),
            index_key: index_key.to_vec(),
        })
    }

    pub fn with_previous(mut self, key_id: &str, key: [u8; 16]) -> Self {
        self.previous.push((key_id.to_owned(), Sm4Gcm::new(&key.into())));
        self
    }

    pub fn encrypt(&self, plain: &str) -> Result<String> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&nonce.into(), plain.as_bytes())
            .map_err(|_| StoreError::Cipher("encryption failed".into()))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("{}:{}", self.key_id, BASE64.encode(&blob)))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String> {
        let (kid, b64) = stored
            .split_once(':')
            .ok_or_else(|| StoreError::Cipher("value has no key id".into()))?;
        let cipher = if kid == self.key_id {
            &self.cipher
        } else {
            self.previous
                .iter()
                .find(|(id, _)| id == kid)
                .map(|(_, c)| c)
                .ok_or_else(|| StoreError::Cipher(format!("unknown key id {kid}")))?
        };
        let blob = BASE64
            .decode(b64.as_bytes())
            .map_err(|_| StoreError::Cipher("bad base64".into()))?;
        if blob.len() < 12 + 16 {
            return Err(StoreError::Cipher("value too short".into()));
        }
        let (nonce, ct) = blob.split_at(12);
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| StoreError::Cipher("bad nonce".into()))?;
        let plain = cipher
            .decrypt(&nonce.into(), ct)
            .map_err(|_| StoreError::Cipher("value failed authentication".into()))?;
        String::from_utf8(plain).map_err(|_| StoreError::Cipher("value is not text".into()))
    }

    /// HMAC-SM3 of a normalised value: equal inputs give equal indexes, so exact lookups work
    /// without storing the value in clear.
    pub fn blind_index(&self, normalized: &str) -> String {
        match <Hmac<Sm3> as Mac>::new_from_slice(&self.index_key) {
            Ok(mut mac) => {
                mac.update(normalized.as_bytes());
                HEXLOWER.encode(&mac.finalize().into_bytes())
            }
            // HMAC takes keys of any length, so this branch is never taken.
            Err(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm4::cipher::BlockEncrypt;

    #[test]
    fn sm4_matches_the_standard_vector() {
        // GB/T 32907-2016 appendix A, example 1.
        let key = parse_key("0123456789abcdeffedcba9876543210").unwrap();
        let mut block = key.into();
        Sm4::new(&key.into()).encrypt_block(&mut block);
        assert_eq!(HEXLOWER.encode(&block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn values_round_trip_and_tampering_is_detected() {
        let c = FieldCipher::new("k1", [7; 16], b"index").unwrap();
        let stored = c.encrypt("13812345678").unwrap();
        assert!(stored.starts_with("k1:"));
        assert_ne!(stored, c.encrypt("13812345678").unwrap(), "nonces differ");
        assert_eq!(c.decrypt(&stored).unwrap(), "13812345678");
        let mut bytes = stored.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(c.decrypt(&String::from_utf8(bytes).unwrap()).is_err());
    }

    #[test]
    fn rotated_keys_still_read_old_values() {
        let old = FieldCipher::new("k1", [1; 16], b"i").unwrap();
        let stored = old.encrypt("甲").unwrap();
        let new = FieldCipher::new("k2", [2; 16], b"i")
            .unwrap()
            .with_previous("k1", [1; 16]);
        assert_eq!(new.decrypt(&stored).unwrap(), "甲");
        assert!(
            FieldCipher::new("k3", [3; 16], b"i")
                .unwrap()
                .decrypt(&stored)
                .is_err()
        );
    }

    #[test]
    fn blind_indexes_are_stable_and_keyed() {
        let a = FieldCipher::new("k1", [1; 16], b"one").unwrap();
        let b = FieldCipher::new("k1", [1; 16], b"two").unwrap();
        assert_eq!(a.blind_index("x"), a.blind_index("x"));
        assert_ne!(a.blind_index("x"), b.blind_index("x"));
        assert_eq!(a.blind_index("x").len(), 64);
    }
}
