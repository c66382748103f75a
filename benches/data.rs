//! Deterministic line-protocol data for the benchmarks.

/// The home-sensor sample's shape: two rooms, one-decimal floats, small
/// integers, second timestamps; `lines` lines.
pub fn home(lines: usize) -> Vec<u8> {
    let mut out = String::new();
    let mut rng = Lcg(0x5eed);
    for i in 0..lines {
        let room = if i % 2 == 0 { r"Living\ Room" } else { "Kitchen" };
        let temp = 20.0 + (rng.next() % 40) as f64 / 10.0;
        let hum = 35.0 + (rng.next() % 20) as f64 / 10.0;
        let co = rng.next() % 30;
        let ts = 1_641_024_000 + (i / 2) as u64 * 3600;
        out.push_str(&format!("home,room={room} temp={temp:.1},hum={hum:.1},co={co}i {ts}\n"));
    }
    out.into_bytes()
}

/// A small deterministic generator (a 64-bit LCG), so every run benchmarks
/// the same bytes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}
