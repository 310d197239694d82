//! DefectPixelClusterCorrection: configures the ISP's defect pixel detection and
//! replacement once per start (the settings do not change per frame).
//!
//! Tuning keys (libcamera's schema): `fixed-set` (bool, default false) and `sets` (up to 3),
//! each set a mapping of methods, each method giving `green` and/or `red-blue` values:
//! `pg-factor` (peak gradient), `line-threshold` + `line-mad-factor` (line check),
//! `ro-limits` (rank order), `rnd-threshold` + `rnd-offsets` (rank neighbour difference),
//! `rg-factor` (ring gradient). A method is enabled for a colour when its keys give that
//! colour a value; the line and rank-neighbour methods need both of their keys.

use super::interface::Algorithm;
use crate::abi::{consts::dpcc, Block, DpccConfig, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::status::Access;
use crate::tuning::{Params, TuningError};
use serde_norway::Value;

pub struct DefectPixelClusterCorrection {
    config: DpccConfig,
    written: bool,
}

/// Largest factor/threshold the 6-bit register fields hold.
const FACTOR_MAX: f64 = 63.0;

impl DefectPixelClusterCorrection {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["fixed-set", "sets"]);
        let fixed = match p.get("fixed-set") {
            None => false,
            Some(v) => v.as_bool().ok_or_else(|| p.error("fixed-set", "expected a boolean"))?,
        };
        let sets = p.get("sets").and_then(Value::as_sequence).ok_or_else(|| p.error("sets", "missing: a list of 1 to 3 method sets"))?;
        if sets.is_empty() || sets.len() > 3 {
            return Err(p.error("sets", format!("expected 1 to 3 sets, got {}", sets.len())));
        }
        let mut c = DpccConfig {
            mode: dpcc::MODE_STAGE1_ENABLE,
            output_mode: dpcc::OUTPUT_MODE_STAGE1_INCL_G_CENTER | dpcc::OUTPUT_MODE_STAGE1_INCL_RB_CENTER,
            set_use: if fixed { dpcc::SET_USE_STAGE1_USE_FIX_SET } else { 0 },
            ..Default::default()
        };
        for (n, set) in sets.iter().enumerate() {
            c.set_use |= 1 << n;
            let m = &mut c.methods[n];
            // Value of `key.part` in [0, max], if given.
            let part = |key: &str, part: &str, max: f64| -> Result<Option<u32>, TuningError> {
                match set.get(key).and_then(|k| k.get(part)) {
                    None => Ok(None),
                    Some(v) => Ok(Some(p.value_f64(&format!("sets[{n}].{key}.{part}"), v, 0.0, max)? as u32)),
                }
            };
            for (colour, shift, g_bits) in [("green", 0u32, true), ("red-blue", 8u32, false)] {
                let bit = |gbit: u32, rbbit: u32| if g_bits { gbit } else { rbbit };
                // RO_LIMITS and RND_OFFS hold 2 bits per colour, 4 per set.
                let nibble_shift = 4 * n as u32 + if g_bits { 0 } else { 2 };
                if let Some(v) = part("pg-factor", colour, FACTOR_MAX)? {
                    m.method |= bit(dpcc::METHODS_SET_PG_GREEN_ENABLE, dpcc::METHODS_SET_PG_RED_BLUE_ENABLE);
                    m.pg_fac |= v << shift;
                }
                if let (Some(t), Some(f)) = (part("line-threshold", colour, 255.0)?, part("line-mad-factor", colour, FACTOR_MAX)?) {
                    m.method |= bit(dpcc::METHODS_SET_LC_GREEN_ENABLE, dpcc::METHODS_SET_LC_RED_BLUE_ENABLE);
                    m.line_thresh |= t << shift;
                    m.line_mad_fac |= f << shift;
                }
                if let Some(v) = part("ro-limits", colour, 3.0)? {
                    m.method |= bit(dpcc::METHODS_SET_RO_GREEN_ENABLE, dpcc::METHODS_SET_RO_RED_BLUE_ENABLE);
                    c.ro_limits |= v << nibble_shift;
                }
                if let (Some(t), Some(o)) = (part("rnd-threshold", colour, FACTOR_MAX)?, part("rnd-offsets", colour, 3.0)?) {
                    m.method |= bit(dpcc::METHODS_SET_RND_GREEN_ENABLE, dpcc::METHODS_SET_RND_RED_BLUE_ENABLE);
                    m.rnd_thresh |= t << shift;
                    c.rnd_offs |= o << nibble_shift;
                }
                if let Some(v) = part("rg-factor", colour, FACTOR_MAX)? {
                    m.method |= bit(dpcc::METHODS_SET_RG_GREEN_ENABLE, dpcc::METHODS_SET_RG_RED_BLUE_ENABLE);
                    m.rg_fac |= v << shift;
                }
            }
            if m.method == 0 {
                return Err(p.error(&format!("sets[{n}]"), "enables no method"));
            }
        }
        Ok(Self { config: c, written: false })
    }

    pub fn config(&self) -> &DpccConfig {
        &self.config
    }
}

impl Algorithm for DefectPixelClusterCorrection {
    fn name(&self) -> &'static str {
        "DefectPixelClusterCorrection"
    }

    fn contract(&self) -> &'static [Access] {
        &[]
    }

    fn start(&mut self) {
        self.written = false;
    }

    fn prepare(&mut self, _s: &Session, _fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        if !self.written && p.write(&Block::Dpcc(self.config), true)? {
            self.written = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dpcc_from(yaml: &str) -> Result<DefectPixelClusterCorrection, TuningError> {
        let v: Value = serde_norway::from_str(yaml).unwrap();
        DefectPixelClusterCorrection::from_tuning(&Params::new("t.yaml", "DefectPixelClusterCorrection", &v)?)
    }

    #[test]
    fn schema_maps_to_the_registers() {
        // Rockchip's IQ registers for the PinePhone Pro modules, written in the schema.
        let d = dpcc_from(
            "sets:\n\
             - {pg-factor: {green: 3, red-blue: 4}, ro-limits: {green: 2, red-blue: 2}, rnd-threshold: {green: 10, red-blue: 10}, rnd-offsets: {green: 3, red-blue: 3}, rg-factor: {green: 32, red-blue: 32}}\n\
             - {pg-factor: {green: 3, red-blue: 4}, line-threshold: {green: 12, red-blue: 16}, line-mad-factor: {green: 16, red-blue: 24}, ro-limits: {green: 0, red-blue: 0}}\n",
        )
        .unwrap();
        let c = d.config();
        assert_eq!(c.set_use, 0b11);
        assert_eq!(c.methods[0].method, 0x1D1D);
        assert_eq!(c.methods[1].method, 0x0707);
        assert_eq!(c.methods[0].pg_fac, 0x0403);
        assert_eq!(c.methods[0].rg_fac, 0x2020);
        assert_eq!(c.methods[1].line_thresh, 0x100C);
        assert_eq!(c.methods[1].line_mad_fac, 0x1810);
        assert_eq!(c.ro_limits & 0xFF, 0x0A);
        assert_eq!(c.rnd_offs & 0xF, 0xF);
    }

    #[test]
    fn bad_tuning_names_the_key() {
        assert!(dpcc_from("sets: []").err().unwrap().to_string().contains("sets"));
        let e = dpcc_from("sets: [{pg-factor: {green: 99}}]").err().unwrap();
        assert!(e.to_string().contains("sets[0].pg-factor.green"), "{e}");
        let e = dpcc_from("sets: [{line-threshold: {green: 9}}]").err().unwrap();
        assert!(e.to_string().contains("enables no method"), "{e}");
        assert!(dpcc_from("fixed-set: 3\nsets: [{pg-factor: {green: 3}}]").is_err());
    }
}
