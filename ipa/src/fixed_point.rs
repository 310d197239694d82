//! Fixed-point conversions used by the ISP registers.

/// Signed value with `int_bits` integer bits (sign included) and `frac_bits` fractional
/// bits, rounded to nearest, clamped, and returned as two's complement in the low bits.
pub fn to_signed_q(v: f64, int_bits: u32, frac_bits: u32) -> u16 {
    let bits = int_bits + frac_bits;
    let scale = (1u32 << frac_bits) as f64;
    let min = -(1i32 << (bits - 1));
    let max = (1i32 << (bits - 1)) - 1;
    let q = ((v * scale).round() as i64).clamp(min as i64, max as i64) as i32;
    (q as u32 & ((1u32 << bits) - 1)) as u16
}

/// Inverse of [`to_signed_q`].
pub fn from_signed_q(raw: u16, int_bits: u32, frac_bits: u32) -> f64 {
    let bits = int_bits + frac_bits;
    let mask = (1u32 << bits) - 1;
    let mut v = (raw as u32 & mask) as i32;
    if v & (1 << (bits - 1)) != 0 {
        v -= 1 << bits;
    }
    v as f64 / (1u32 << frac_bits) as f64
}

/// Unsigned value with `frac_bits` fractional bits, rounded and clamped to `max_raw`.
pub fn to_unsigned_q(v: f64, frac_bits: u32, max_raw: u32) -> u16 {
    let q = (v * (1u32 << frac_bits) as f64).round();
    q.clamp(0.0, max_raw as f64) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn q4_7_matches_kernel_examples() {
        assert_eq!(to_signed_q(1.0, 4, 7), 0x080);
        assert_eq!(to_signed_q(-1.0, 4, 7), 0x780);
        assert_eq!(to_signed_q(100.0, 4, 7), 0x3FF);
        assert_eq!(to_signed_q(-8.0, 4, 7), 0x400);
        assert_eq!(from_signed_q(0x780, 4, 7), -1.0);
        assert_eq!(to_unsigned_q(1.0, 8, 0x3FF), 0x100);
        assert_eq!(to_unsigned_q(5.0, 8, 0x3FF), 0x3FF);
    }
}
