//! Kernel profiles: what differs between the Linux 6.1 and 6.12 rkisp1 / imx258 drivers the
//! PinePhone Pro runs (kernel-rkisp1.md, "Version timeline").

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kernel {
    /// Debian bookworm's 6.1: ISP input at most 4032x3024, the old imx258 driver
    /// (4208x3118 GRBG, no flips, no selection API), no `rkisp1_csi` entity, fixed params
    /// only, no ENUM_FRAMESIZES on the capture nodes.
    V6_1,
    /// 6.12: ISP input 4416x3312 on RK3399, the reworked imx258 (4208x3120, Bayer order
    /// following the flips), `rkisp1_csi`, extensible params with 20 block types (Debian's
    /// 6.12 UAPI, compand blocks included), no supported-blocks control.
    V6_12,
}

impl Kernel {
    pub fn parse(s: &str) -> Option<Kernel> {
        match s {
            "6.1" => Some(Kernel::V6_1),
            "6.12" => Some(Kernel::V6_12),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Kernel::V6_1 => "6.1",
            Kernel::V6_12 => "6.12",
        }
    }
    /// `KERNEL_VERSION()` as media and video nodes report it.
    pub fn version_code(self) -> u32 {
        match self {
            Kernel::V6_1 => (6 << 16) | (1 << 8) | 0x99,
            Kernel::V6_12 => (6 << 16) | (12 << 8) | 0x75,
        }
    }
    /// Largest ISP sink (and CSI) size.
    pub fn isp_max(self) -> (u32, u32) {
        match self {
            Kernel::V6_1 => (4032, 3024),
            Kernel::V6_12 => (4416, 3312),
        }
    }
    pub fn has_csi(self) -> bool {
        self == Kernel::V6_12
    }
    pub fn new_imx258(self) -> bool {
        self == Kernel::V6_12
    }
    /// Number of extensible params block types the driver knows, if it has the format.
    pub fn ext_block_types(self) -> Option<u16> {
        match self {
            Kernel::V6_1 => None,
            Kernel::V6_12 => Some(20),
        }
    }
    /// `sizeof(struct rkisp1_ext_params_cfg)` of this kernel.
    pub fn ext_params_size(self) -> u32 {
        8 + 4392
    }
    /// ENUM_FRAMESIZES on the capture nodes (added in 6.4).
    pub fn capture_framesizes(self) -> bool {
        self == Kernel::V6_12
    }
}
