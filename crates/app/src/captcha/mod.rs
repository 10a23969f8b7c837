//! The portal's captcha, needing no outside service: four digits as a distorted picture (see
//! `picture`) or spoken (see `audio`) for people who cannot read it. The token carries the answer
//! encrypted (SM4-GCM) with its expiry, so no server state is kept until it is used; a token is
//! spent at its first use, right or wrong, and remembered until it expires.

mod audio;
mod picture;

use gongzhi_domain::time;
use gongzhi_store::{AnyConnection, captcha};
use rand::{RngCore, SeedableRng};

use crate::case::sm3_hex;
use crate::{App, AppError, Ctx};

const TTL_MS: i64 = 20 * 60 * 1000;
/// Spoken captchas per client address per hour.
const AUDIO_PER_HOUR: i64 = 20;

/// A captcha: the token to send back with the answer, and the picture to show.
#[derive(Clone, Debug)]
pub struct Captcha {
    pub token: String,
    /// `data:image/png;base64,…`
    pub image: String,
}

impl App {
    pub fn captcha(&self) -> Result<Captcha, AppError> {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let mut rng = rand::rngs::StdRng::from_seed(seed);
        let answer: String = (0..4)
            .map(|_| char::from(b'0' + u8::try_from(rng.next_u32() % 10).unwrap_or(0)))
            .collect();
        let expires = time::to_millis(self.now()) + TTL_MS;
        let nonce = data_encoding::HEXLOWER.encode(&seed[..8]);
        let token = self.cipher().encrypt(&format!("{expires}|{answer}|{nonce}"))?;
        let png = picture::png(&picture::render(&answer, &mut rng));
        Ok(Captcha {
            token: data_encoding::BASE64URL_NOPAD.encode(token.as_bytes()),
            image: format!("data:image/png;base64,{}", data_encoding::BASE64.encode(&png)),
        })
    }

    /// The answer of a token and its expiry, if the token is one of ours.
    fn open_captcha(&self, token: &str) -> Option<(i64, String)> {
        let raw = data_encoding::BASE64URL_NOPAD
            .decode(token.trim().as_bytes())
            .ok()?;
        let plain = self.cipher().decrypt(&String::from_utf8(raw).ok()?).ok()?;
        let mut parts = plain.split('|');
        let expires = parts.next()?.parse().ok()?;
        Some((expires, parts.next()?.to_owned()))
    }

    /// The spoken form of the captcha whose token the caller holds (a WAV file), rate-limited per
    /// address.
    pub async fn audio_captcha(&self, ctx: &Ctx, token: &str) -> Result<Vec<u8>, AppError> {
        let (_, answer) = self
            .open_captcha(token)
            .filter(|(expires, _)| *expires >= time::to_millis(self.now()))
            .ok_or(AppError::NotFound)?;
        let mut tx = self.db().begin().await?;
        self.count_hit(tx.conn(), "captcha-audio", &ctx.address_key(), AUDIO_PER_HOUR)
            .await?;
        tx.commit().await?;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        Ok(audio::render(&answer, &mut rand::rngs::StdRng::from_seed(seed)))
    }

    /// Spends the token (in the caller's transaction, which the caller commits whatever the
    /// outcome) and says whether `answer` was right.
    pub(crate) async fn spend_captcha(
        &self,
        conn: &mut AnyConnection,
        token: &str,
        answer: &str,
    ) -> Result<Result<(), AppError>, AppError> {
        let now = time::to_millis(self.now());
        let Some((expires, expected)) = self.open_captcha(token) else {
            return Ok(Err(AppError::field("captcha", "captcha-wrong")));
        };
        if expires < now
            || !captcha::use_captcha(conn, &sm3_hex(token.trim().as_bytes()), now, expires).await?
        {
            return Ok(Err(AppError::field("captcha", "captcha-expired")));
        }
        if answer.trim() != expected {
            return Ok(Err(AppError::field("captcha", "captcha-wrong")));
        }
        Ok(Ok(()))
    }
}
