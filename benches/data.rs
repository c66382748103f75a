//! Deterministic line-protocol data for the benchmarks: generated in code,
//! the same bytes on every run, nothing downloaded.

use std::fmt::Write as _;

/// The home-sensor sample's shape: two rooms (one with an escaped space),
/// one-decimal floats, small integers, second timestamps.
pub(crate) fn home(lines: usize) -> Vec<u8> {
    let mut rng = Lcg(0x5eed);
    let mut out = String::new();
    for i in 0..lines {
        let room = if i % 2 == 0 {
            r"Living\ Room"
        } else {
            "Kitchen"
        };
        let temp = 200 + rng.below(40);
        let hum = 350 + rng.below(20);
        let co = rng.below(30);
        let ts = 1_641_024_000 + (i / 2) as u64 * 3600;
        let _ = writeln!(
            out,
            "home,room={room} temp={}.{},hum={}.{},co={co}i {ts}",
            temp / 10,
            temp % 10,
            hum / 10,
            hum % 10
        );
    }
    out.into_bytes()
}

/// The TSBS devops `cpu` shape: ten tags, ten integer fields,
/// nanosecond timestamps.
pub(crate) fn tsbs_cpu(lines: usize) -> Vec<u8> {
    const REGIONS: [(&str, &str); 4] = [
        ("us-east-1", "us-east-1b"),
        ("eu-central-1", "eu-central-1a"),
        ("ap-southeast-2", "ap-southeast-2a"),
        ("sa-east-1", "sa-east-1c"),
    ];
    const FIELDS: [&str; 10] = [
        "usage_user",
        "usage_system",
        "usage_idle",
        "usage_nice",
        "usage_iowait",
        "usage_irq",
        "usage_softirq",
        "usage_steal",
        "usage_guest",
        "usage_guest_nice",
    ];
    let mut rng = Lcg(0xc0ffee);
    let mut out = String::new();
    for i in 0..lines {
        let host = i % 100;
        let (region, datacenter) = REGIONS[host % REGIONS.len()];
        let _ = write!(
            out,
            "cpu,hostname=host_{host},region={region},datacenter={datacenter},rack={},os=Ubuntu16.04LTS,\
             arch=x64,team=SF,service={},service_version={},service_environment=production",
            host % 97,
            host % 19,
            host % 2,
        );
        for (n, field) in FIELDS.iter().enumerate() {
            let _ = write!(
                out,
                "{}{field}={}i",
                if n == 0 { ' ' } else { ',' },
                rng.below(100)
            );
        }
        let _ = writeln!(
            out,
            " {}",
            1_451_606_400_000_000_000u64 + (i / 100) as u64 * 10_000_000_000
        );
    }
    out.into_bytes()
}

/// The mix a Telegraf agent sends: cpu, mem, disk, diskio, net, system and
/// processes lines with floats, integers, unsigned integers, booleans and
/// strings (with spaces and escaped quotes), and tags with escaped spaces
/// and commas.
pub(crate) fn telegraf(lines: usize) -> Vec<u8> {
    let mut rng = Lcg(0x7e1e);
    let mut out = String::new();
    let host = "host=web-01.example.com";
    for i in 0..lines {
        let ts = 1_700_000_000_000_000_000u64 + (i / 7) as u64 * 10_000_000_000;
        let f = |rng: &mut Lcg| rng.below(100_000) as f64 / 1000.0;
        let _ = match i % 7 {
            0 => writeln!(
                out,
                "cpu,cpu=cpu{},{host} usage_user={},usage_system={},usage_idle={},usage_iowait={},usage_steal=0 {ts}",
                rng.below(8),
                f(&mut rng),
                f(&mut rng),
                f(&mut rng),
                f(&mut rng)
            ),
            1 => writeln!(
                out,
                "mem,{host} total={}i,available={}i,used={}i,used_percent={},free={}i,cached={}i {ts}",
                16_000_000_000u64,
                rng.below(16_000_000_000),
                rng.below(16_000_000_000),
                f(&mut rng),
                rng.below(8_000_000_000),
                rng.below(8_000_000_000)
            ),
            2 => writeln!(
                out,
                r#"disk,device=nvme0n1p{},fstype=ext4,{host},mode=rw,path=/mnt/Backup\ Disk\,\ 2 free={}u,inodes_free={}u,inodes_total=30515200u,total=491173040128u,used={}u,used_percent={} {ts}"#,
                rng.below(4),
                rng.below(400_000_000_000),
                rng.below(30_000_000),
                rng.below(100_000_000_000),
                f(&mut rng)
            ),
            3 => writeln!(
                out,
                "diskio,{host},name=nvme0n1 io_time={}i,iops_in_progress=0i,read_bytes={}i,reads={}i,write_bytes={}i,writes={}i {ts}",
                rng.below(1_000_000),
                rng.below(10_000_000_000),
                rng.below(1_000_000),
                rng.below(10_000_000_000),
                rng.below(1_000_000)
            ),
            4 => writeln!(
                out,
                "net,{host},interface=eth{} bytes_recv={}u,bytes_sent={}u,drop_in=0u,err_in=0u,packets_recv={}u,packets_sent={}u,up=true {ts}",
                rng.below(2),
                rng.below(1 << 40),
                rng.below(1 << 40),
                rng.below(1 << 30),
                rng.below(1 << 30)
            ),
            5 => writeln!(
                out,
                r#"system,{host} load1={},load5={},load15={},n_cpus=8i,n_users={}i,uptime={}i,uptime_format="{} days, {:2}:{:02}",note="kernel \"6.1\" ok" {ts}"#,
                f(&mut rng) / 10.0,
                f(&mut rng) / 10.0,
                f(&mut rng) / 10.0,
                rng.below(5),
                rng.below(10_000_000),
                rng.below(300),
                rng.below(24),
                rng.below(60)
            ),
            _ => writeln!(
                out,
                "processes,{host} blocked={}i,running={}i,sleeping={}i,stopped=0i,total={}i,zombies=0i,paging=F {ts}",
                rng.below(4),
                rng.below(8),
                rng.below(400),
                rng.below(500)
            ),
        };
    }
    out.into_bytes()
}

/// Text as people write it, for names and strings: ASCII words and CJK,
/// Greek, Arabic and emoji.
const WORDS: [&str; 12] = [
    "temperature",
    "Living Room",
    "東京都",
    "温度",
    "Θερμοκρασία",
    "αισθητήρας",
    "درجة الحرارة",
    "مستشعر",
    "🌡️",
    "🏠 home",
    "rack=7",
    "a,b",
];

/// Escapes `text` for a name or tag value: `,`, `=` and space get a
/// backslash.
fn escaped_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, ',' | '=' | ' ') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes `text` for a string field value: `"` and `\` get a backslash.
fn escaped_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes in every element: measurements, tag keys and values and field
/// keys with `\ `, `\,` and `\=`; non-ASCII text everywhere; strings of
/// up to 1.5 KB with `\"` and `\\`; all five field types; one line in
/// eight without a timestamp.
pub(crate) fn escapes(lines: usize) -> Vec<u8> {
    let mut rng = Lcg(0xe5c);
    let mut out = String::new();
    let word = |rng: &mut Lcg| WORDS[rng.below(WORDS.len() as u64) as usize];
    for i in 0..lines {
        let measurement = format!("{} {}", word(&mut rng), rng.below(10));
        let _ = write!(out, "{}", escaped_name(&measurement));
        for t in 0..1 + rng.below(4) {
            let key = format!("tag {t},{}", word(&mut rng));
            let value = format!("{}={}", word(&mut rng), rng.below(100));
            let _ = write!(out, ",{}={}", escaped_name(&key), escaped_name(&value));
        }
        let long = rng.below(1_500) as usize;
        let mut text = String::new();
        while text.len() < long {
            let _ = write!(
                text,
                "{} \"quoted\" C:\\path\\{} ",
                word(&mut rng),
                rng.below(1000)
            );
        }
        let _ = write!(
            out,
            " {}={}.{},{}={}i,{}={}u,{}={},{}=\"{}\"",
            escaped_name(&format!("reading {}", word(&mut rng))),
            rng.below(1000),
            rng.below(100),
            escaped_name("count,total"),
            rng.below(1_000_000) as i64 - 500_000,
            escaped_name("bytes=sent"),
            rng.below(1 << 40),
            escaped_name("ok flag"),
            if rng.below(2) == 0 { "true" } else { "F" },
            escaped_name(&format!("note {}", word(&mut rng))),
            escaped_string(&text),
        );
        if i % 8 == 7 {
            out.push('\n');
        } else {
            let _ = writeln!(out, " {}", 1_700_000_000_000_000_000u64 + i as u64);
        }
    }
    out.into_bytes()
}

/// Every value a float with a long shortest representation (16 or 17
/// significant digits, as measurements divided or averaged give), some
/// with exponents.
pub(crate) fn floats(lines: usize) -> Vec<u8> {
    let mut rng = Lcg(0xf10a7);
    let mut out = String::new();
    for i in 0..lines {
        let _ = write!(out, "sensor,id=s{}", i % 1000);
        for f in 0..8 {
            let mantissa = rng.below(1 << 52) as f64 / (1u64 << 52) as f64 + 1.0;
            let value = match f {
                6 => mantissa * 1e-9,
                7 => -mantissa * 1e21,
                _ => mantissa * rng.below(10_000) as f64 / 7.0,
            };
            let _ = write!(out, "{}v{f}={value:?}", if f == 0 { ' ' } else { ',' });
        }
        let _ = writeln!(out, " {}", 1_700_000_000_000_000_000u64 + i as u64);
    }
    out.into_bytes()
}

/// Log lines whose message strings hold raw line feeds, a few KB each, so
/// that a cut after any line feed most likely falls inside a string: the
/// input on which a parallel parse must parse most pieces again.
pub(crate) fn multiline_strings(lines: usize) -> Vec<u8> {
    let mut rng = Lcg(0x10f);
    let mut out = String::new();
    for i in 0..lines {
        let _ = write!(out, "log,host=h{} msg=\"", rng.below(10));
        for l in 0..20 + rng.below(40) {
            let _ = writeln!(
                out,
                "{} line {l} of a stack trace",
                WORDS[(i + l as usize) % 9]
            );
        }
        let _ = writeln!(
            out,
            "\",level={}i {}",
            rng.below(5),
            1_700_000_000_000_000_000u64 + i as u64
        );
    }
    out.into_bytes()
}

/// Lines whose strings (a base64 payload) end in a line feed followed by
/// text that reads as the start of a line with a string, `q f="`: a
/// parse that begins after
/// that line feed takes the closing quote for an opening one and never
/// gets back in step with the lines, so a parallel parse must parse the
/// pieces after such a cut again one after the other.
pub(crate) fn out_of_step_strings(lines: usize) -> Vec<u8> {
    const PAYLOAD: &str = "QmFzZTY0IGVuY29kZWQgcGF5bG9hZA";
    let mut rng = Lcg(0x57e9);
    let mut out = String::new();
    for i in 0..lines {
        let text = PAYLOAD.repeat(60 + rng.below(60) as usize);
        let _ = writeln!(out, "m s=\"{text}\nq f=\" {i}");
    }
    out.into_bytes()
}

/// The data of `generate` at about `bytes` bytes: as many lines as fit,
/// judged by the first thousand.
pub(crate) fn of_size(generate: fn(usize) -> Vec<u8>, bytes: usize) -> Vec<u8> {
    let per_line = generate(1_000).len().div_ceil(1_000).max(1);
    generate(bytes.div_ceil(per_line))
}

/// A small deterministic generator (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 24) % bound
    }
}

/// Lines `scale` times as long as the scale-1 line: `10 * scale` tags,
/// `10 * scale` fields of every type, and a string `20 * scale` bytes long.
pub(crate) fn wide(lines: usize, scale: usize) -> Vec<u8> {
    let mut rng = Lcg(0x1de);
    let mut out = String::new();
    for i in 0..lines {
        out.push_str("sensor");
        for t in 0..10 * scale {
            let _ = write!(out, ",tag_{t:03}=value_{}", rng.below(50));
        }
        for f in 0..10 * scale {
            let _ = match f % 4 {
                0 => write!(
                    out,
                    "{}f_{f:03}={}.{}",
                    if f == 0 { ' ' } else { ',' },
                    rng.below(1000),
                    rng.below(10)
                ),
                1 => write!(out, ",f_{f:03}={}i", rng.below(1_000_000)),
                2 => write!(out, ",f_{f:03}={}u", rng.below(1_000_000)),
                _ => write!(
                    out,
                    ",f_{f:03}={}",
                    if rng.below(2) == 0 { "true" } else { "false" }
                ),
            };
        }
        let text: String = (0..20 * scale)
            .map(|n| if n % 7 == 6 { ' ' } else { 'x' })
            .collect();
        let _ = writeln!(
            out,
            ",note=\"{text}\" {}",
            1_700_000_000_000_000_000u64 + i as u64
        );
    }
    out.into_bytes()
}
