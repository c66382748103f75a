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
