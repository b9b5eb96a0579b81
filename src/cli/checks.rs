//! Value parsers for flags: counts that must be positive, numbers that must be finite and in
//! range, names that must be plain file names. clap prints the message with the flag's name
//! and exits with status 2 before anything runs.

use std::str::FromStr;

fn parsed<T: FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.trim().parse().map_err(|_| format!("`{s}` is not {what}"))
}

/// A whole number ≥ 1 (frames, images, channels, steps…).
pub fn count(s: &str) -> Result<usize, String> {
    match parsed(s, "a whole number")? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

pub fn count_u64(s: &str) -> Result<u64, String> {
    count(s).map(|n| n as u64)
}

fn finite(s: &str) -> Result<f64, String> {
    let value: f64 = parsed(s, "a number")?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("`{s}` is not a finite number"))
    }
}

/// A finite number above 0 (learning rate, epochs).
pub fn positive(s: &str) -> Result<f64, String> {
    match finite(s)? {
        v if v > 0.0 => Ok(v),
        _ => Err("must be above 0".into()),
    }
}

pub fn positive_f32(s: &str) -> Result<f32, String> {
    positive(s).map(|v| v as f32)
}

/// A finite number ≥ 0 (a time that may be zero).
pub fn non_negative(s: &str) -> Result<f32, String> {
    match finite(s)? {
        v if v >= 0.0 => Ok(v as f32),
        _ => Err("must be 0 or more".into()),
    }
}

/// A downscale factor: finite, 1 (no degradation) to 4096.
pub fn factor(s: &str) -> Result<f32, String> {
    match finite(s)? {
        v if (1.0..=4096.0).contains(&v) => Ok(v as f32),
        _ => Err("must be between 1 and 4096".into()),
    }
}

/// A name that becomes one file or folder name (`runs/NAME`, `models/NAME`, `NAME.toml`).
pub fn name(s: &str) -> Result<String, String> {
    let plain = !s.is_empty()
        && s != "."
        && s != ".."
        && !s.starts_with('-')
        && s.chars()
            .all(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':'));
    if plain {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a plain file name (no slashes, not `.` or `..`)"
        ))
    }
}

/// HOST:PORT, where the host is an address or a name (`localhost:9001`, `mixer.local:8000`).
pub fn host_port(s: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let addresses: Vec<_> = s
        .to_socket_addrs()
        .map_err(|e| format!("`{s}` is not HOST:PORT ({e})"))?
        .collect();
    addresses
        .iter()
        .find(|a| a.is_ipv4())
        .or(addresses.first())
        .copied()
        .ok_or_else(|| format!("`{s}` names no address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_numbers_and_names_refuse_what_cannot_work() {
        assert_eq!(count("3"), Ok(3));
        assert!(count("0").is_err());
        assert!(count("-1").is_err());
        assert!(count_u64("0").is_err());
        assert_eq!(positive("2e-4"), Ok(2e-4));
        for bad in ["0", "-1", "nan", "inf", "x"] {
            assert!(positive(bad).is_err(), "{bad}");
        }
        assert_eq!(non_negative("0"), Ok(0.0));
        assert!(non_negative("NaN").is_err());
        assert_eq!(factor("24"), Ok(24.0));
        assert!(factor("0").is_err());
        assert!(factor("0.5").is_err());
        assert_eq!(name("sea-2"), Ok("sea-2".into()));
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", "-x"] {
            assert!(name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn feedback_goes_to_a_host_name_or_an_address() {
        assert_eq!(
            host_port("localhost:9001").map(|a| (a.ip().is_loopback(), a.port())),
            Ok((true, 9001))
        );
        assert_eq!(
            host_port("10.0.0.7:8000"),
            Ok("10.0.0.7:8000".parse().unwrap())
        );
        for bad in ["localhost", "10.0.0.7", ":9000", "localhost:99999"] {
            assert!(host_port(bad).is_err(), "{bad}");
        }
    }
}
