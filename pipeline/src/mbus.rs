//! Media bus codes the rkisp1 graph uses: names as `media-ctl` prints them, values from
//! `linux/media-bus-format.h` (checked against the header by `tests/uapi_layout.rs`), and
//! what a Bayer code means (order, bit depth) so flips and crops can keep the order right.

/// (media-ctl name, MEDIA_BUS_FMT_* value).
pub const CODES: &[(&str, u32)] = &[
    ("FIXED", 0x0001),
    ("YUYV8_1_5X8", 0x2004),
    ("YUYV8_2X8", 0x2008),
    ("UYVY8_1X16", 0x200f),
    ("VYUY8_1X16", 0x2010),
    ("YUYV8_1X16", 0x2011),
    ("YVYU8_1X16", 0x2012),
    ("SBGGR8_1X8", 0x3001),
    ("SGRBG8_1X8", 0x3002),
    ("SBGGR10_1X10", 0x3007),
    ("SBGGR12_1X12", 0x3008),
    ("SGRBG10_1X10", 0x300a),
    ("SGBRG10_1X10", 0x300e),
    ("SRGGB10_1X10", 0x300f),
    ("SGBRG12_1X12", 0x3010),
    ("SGRBG12_1X12", 0x3011),
    ("SRGGB12_1X12", 0x3012),
    ("SGBRG8_1X8", 0x3013),
    ("SRGGB8_1X8", 0x3014),
    ("METADATA_FIXED", 0x7001),
];

pub fn value(name: &str) -> Option<u32> {
    CODES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

pub fn name(value: u32) -> Option<&'static str> {
    CODES.iter().find(|(_, v)| *v == value).map(|(n, _)| *n)
}

/// The code's name, or its hexadecimal value when it has none here.
pub fn display(value: u32) -> String {
    name(value).map(str::to_string).unwrap_or_else(|| format!("0x{value:04x}"))
}

/// Colour of the top-left 2×2 cell, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BayerOrder {
    Rggb,
    Grbg,
    Gbrg,
    Bggr,
}

impl BayerOrder {
    /// The order after mirroring horizontally and/or vertically (what a sensor's flip
    /// controls do to the code it reports).
    pub fn flipped(self, h: bool, v: bool) -> Self {
        use BayerOrder::*;
        let mut o = self;
        if h {
            o = match o {
                Rggb => Grbg,
                Grbg => Rggb,
                Gbrg => Bggr,
                Bggr => Gbrg,
            };
        }
        if v {
            o = match o {
                Rggb => Gbrg,
                Gbrg => Rggb,
                Grbg => Bggr,
                Bggr => Grbg,
            };
        }
        o
    }

    /// The order seen from a crop starting at (x, y): odd offsets shift it.
    pub fn shifted(self, x: i32, y: i32) -> Self {
        self.flipped(x & 1 == 1, y & 1 == 1)
    }

    fn tag(self) -> &'static str {
        match self {
            BayerOrder::Rggb => "RGGB",
            BayerOrder::Grbg => "GRBG",
            BayerOrder::Gbrg => "GBRG",
            BayerOrder::Bggr => "BGGR",
        }
    }
}

/// (order, bits) of a Bayer code name such as `SGRBG10_1X10`.
pub fn bayer(name: &str) -> Option<(BayerOrder, u32)> {
    let rest = name.strip_prefix('S')?;
    let order = [BayerOrder::Rggb, BayerOrder::Grbg, BayerOrder::Gbrg, BayerOrder::Bggr].into_iter().find(|o| rest.starts_with(o.tag()))?;
    let bits = rest[4..].split('_').next()?.parse().ok()?;
    Some((order, bits))
}

/// The Bayer code name for an order and depth (8, 10 or 12 bits).
pub fn bayer_code(order: BayerOrder, bits: u32) -> String {
    format!("S{}{bits}_1X{bits}", order.tag())
}

pub fn is_bayer(name: &str) -> bool {
    bayer(name).is_some()
}

/// YUV codes the ISP sink accepts as pass-through input.
pub fn is_yuv_input(name: &str) -> bool {
    matches!(name, "YUYV8_1X16" | "YVYU8_1X16" | "UYVY8_1X16" | "VYUY8_1X16")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bayer_codes_round_trip_and_flips_match_the_imx258_table() {
        assert_eq!(bayer("SGRBG10_1X10"), Some((BayerOrder::Grbg, 10)));
        assert_eq!(bayer("YUYV8_2X8"), None);
        for (n, _) in CODES.iter().filter(|(n, _)| is_bayer(n)) {
            let (o, b) = bayer(n).unwrap();
            assert_eq!(bayer_code(o, b), *n);
        }
        // Kernel facts §4.4: no flip RGGB, H GRBG, V GBRG, both BGGR.
        let r = BayerOrder::Rggb;
        assert_eq!(
            [r.flipped(false, false), r.flipped(true, false), r.flipped(false, true), r.flipped(true, true)],
            [BayerOrder::Rggb, BayerOrder::Grbg, BayerOrder::Gbrg, BayerOrder::Bggr]
        );
        assert_eq!(BayerOrder::Bggr.shifted(2, 4), BayerOrder::Bggr);
        assert_eq!(BayerOrder::Bggr.shifted(1, 0), BayerOrder::Gbrg);
    }
}
