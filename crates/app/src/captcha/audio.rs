//! The spoken captcha, for people who cannot read the picture: the same digits in Mandarin, each
//! in one of four voices at its own speed and loudness, with uneven pauses, an echo and a wavering
//! level, over noise and babble of other digits in other voices, as an 8 kHz WAV file.
//!
//! A speech recogniser can read it (as with every audio captcha); it raises the price of a bulk
//! submission, which the per-address limits then keep small.

use rand::Rng;

const RATE: u32 = 8_000;

/// 零 … 九 in four voices, 8 kHz mono signed 16-bit PCM (see assets/captcha/README.md).
const DIGITS: [[&[u8]; 4]; 10] = [
    [
        include_bytes!("../../assets/captcha/0-0.pcm"),
        include_bytes!("../../assets/captcha/0-1.pcm"),
        include_bytes!("../../assets/captcha/0-2.pcm"),
        include_bytes!("../../assets/captcha/0-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/1-0.pcm"),
        include_bytes!("../../assets/captcha/1-1.pcm"),
        include_bytes!("../../assets/captcha/1-2.pcm"),
        include_bytes!("../../assets/captcha/1-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/2-0.pcm"),
        include_bytes!("../../assets/captcha/2-1.pcm"),
        include_bytes!("../../assets/captcha/2-2.pcm"),
        include_bytes!("../../assets/captcha/2-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/3-0.pcm"),
        include_bytes!("../../assets/captcha/3-1.pcm"),
        include_bytes!("../../assets/captcha/3-2.pcm"),
        include_bytes!("../../assets/captcha/3-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/4-0.pcm"),
        include_bytes!("../../assets/captcha/4-1.pcm"),
        include_bytes!("../../assets/captcha/4-2.pcm"),
        include_bytes!("../../assets/captcha/4-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/5-0.pcm"),
        include_bytes!("../../assets/captcha/5-1.pcm"),
        include_bytes!("../../assets/captcha/5-2.pcm"),
        include_bytes!("../../assets/captcha/5-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/6-0.pcm"),
        include_bytes!("../../assets/captcha/6-1.pcm"),
        include_bytes!("../../assets/captcha/6-2.pcm"),
        include_bytes!("../../assets/captcha/6-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/7-0.pcm"),
        include_bytes!("../../assets/captcha/7-1.pcm"),
        include_bytes!("../../assets/captcha/7-2.pcm"),
        include_bytes!("../../assets/captcha/7-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/8-0.pcm"),
        include_bytes!("../../assets/captcha/8-1.pcm"),
        include_bytes!("../../assets/captcha/8-2.pcm"),
        include_bytes!("../../assets/captcha/8-3.pcm"),
    ],
    [
        include_bytes!("../../assets/captcha/9-0.pcm"),
        include_bytes!("../../assets/captcha/9-1.pcm"),
        include_bytes!("../../assets/captcha/9-2.pcm"),
        include_bytes!("../../assets/captcha/9-3.pcm"),
    ],
];

fn samples(digit: usize, voice: usize) -> Vec<f32> {
    DIGITS[digit % 10][voice % 4]
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])))
        .collect()
}

/// `clip` played `speed` times as fast (linear interpolation).
fn resample(clip: &[f32], speed: f32) -> Vec<f32> {
    let n = (clip.len() as f32 / speed) as usize;
    (0..n)
        .map(|i| {
            let x = i as f32 * speed;
            let k = x as usize;
            let t = x - k as f32;
            let a = clip.get(k).copied().unwrap_or(0.0);
            let b = clip.get(k + 1).copied().unwrap_or(a);
            a + (b - a) * t
        })
        .collect()
}

fn mix(track: &mut Vec<f32>, at: usize, clip: &[f32], gain: f32) {
    if track.len() < at + clip.len() {
        track.resize(at + clip.len(), 0.0);
    }
    for (i, s) in clip.iter().enumerate() {
        track[at + i] += s * gain;
    }
}

fn pause(rng: &mut impl Rng, lo: f32, hi: f32) -> usize {
    (rng.gen_range(lo..hi) * RATE as f32) as usize
}

/// The WAV file speaking `answer`.
pub fn render(answer: &str, rng: &mut impl Rng) -> Vec<u8> {
    let mut track = Vec::new();
    let mut at = pause(rng, 0.3, 0.6);
    for ch in answer.chars() {
        let Some(d) = ch.to_digit(10) else { continue };
        let clip = resample(
            &samples(d as usize, rng.gen_range(0..4)),
            rng.gen_range(0.82..1.25),
        );
        mix(&mut track, at, &clip, rng.gen_range(0.65..1.0));
        at += clip.len() + pause(rng, 0.2, 0.65);
    }
    track.resize(at + pause(rng, 0.2, 0.4), 0.0);
    // An echo of the whole line, as in a hall.
    let delay = pause(rng, 0.06, 0.16);
    let echo: Vec<f32> = track.clone();
    mix(&mut track, delay, &echo, rng.gen_range(0.2..0.35));
    // Babble: other digits in other voices, quieter and faster, anywhere.
    for _ in 0..rng.gen_range(5..9) {
        let clip = resample(
            &samples(rng.gen_range(0..10), rng.gen_range(0..4)),
            rng.gen_range(1.25..1.8),
        );
        let start = rng.gen_range(0..track.len().saturating_sub(clip.len()).max(1));
        mix(&mut track, start, &clip, rng.gen_range(0.1..0.22));
    }
    // A wavering level.
    let (rate, depth, phase) = (
        rng.gen_range(2.0..6.0_f32),
        rng.gen_range(0.15..0.35_f32),
        rng.gen_range(0.0..std::f32::consts::TAU),
    );
    for (i, s) in track.iter_mut().enumerate() {
        let t = i as f32 / RATE as f32;
        *s *= 1.0 - depth * (0.5 + 0.5 * (std::f32::consts::TAU * rate * t + phase).sin());
    }
    let mut hum = 0.0_f32;
    for s in &mut track {
        // Brown-ish noise: louder low frequencies, like a room.
        hum = (hum + rng.gen_range(-1.0..1.0) * 300.0) * 0.96;
        *s += hum + rng.gen_range(-400.0..400.0);
    }
    // As loud as a phone's speaker can take.
    let peak = track.iter().fold(1.0_f32, |m, s| m.max(s.abs()));
    let gain = 26_000.0 / peak;
    for s in &mut track {
        *s *= gain;
    }
    wav(&track)
}

fn wav(track: &[f32]) -> Vec<u8> {
    let data: Vec<u8> = track
        .iter()
        .flat_map(|s| (s.clamp(-32_000.0, 32_000.0) as i16).to_le_bytes())
        .collect();
    let len = u32::try_from(data.len()).unwrap_or(0);
    let mut out = Vec::with_capacity(data.len() + 44);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16_u32.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes());
    out.extend_from_slice(&2_u16.to_le_bytes());
    out.extend_from_slice(&16_u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&data);
    out
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn the_spoken_captcha_is_a_short_wav_that_differs_every_time() {
        let mut rng = StdRng::seed_from_u64(5);
        let a = render("4071", &mut rng);
        let b = render("4071", &mut rng);
        assert!(a.starts_with(b"RIFF") && &a[8..16] == b"WAVEfmt ");
        assert_ne!(a, b);
        let seconds = (a.len() - 44) as f32 / (RATE as f32 * 2.0);
        assert!((2.0..7.0).contains(&seconds), "{seconds} s");
    }
}
