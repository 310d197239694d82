//! The V4L2 control framework as a driver's control handler presents it: controls sorted
//! by id with their class controls, `QUERY_EXT_CTRL` / `QUERYCTRL` / `QUERYMENU`
//! enumeration, and get/set with the framework's rules (integers are clamped to the range
//! and rounded to the step, menus out of range and read-only writes are refused).

use crate::uapi::{self, cid, errno::*};

#[derive(Debug, Clone, PartialEq)]
pub enum Menu {
    None,
    Names(Vec<&'static str>),
    Ints(Vec<i64>),
}

#[derive(Debug, Clone)]
pub struct Control {
    pub id: u32,
    pub name: &'static str,
    pub type_: u32,
    pub min: i64,
    pub max: i64,
    pub step: u64,
    pub def: i64,
    pub flags: u32,
    pub value: i64,
    pub menu: Menu,
}

impl Control {
    pub fn int(id: u32, name: &'static str, min: i64, max: i64, def: i64) -> Self {
        Control { id, name, type_: uapi::V4L2_CTRL_TYPE_INTEGER, min, max, step: 1, def, flags: 0, value: def, menu: Menu::None }
    }
    pub fn int64(id: u32, name: &'static str, v: i64) -> Self {
        Control { type_: uapi::V4L2_CTRL_TYPE_INTEGER64, flags: uapi::V4L2_CTRL_FLAG_READ_ONLY, ..Self::int(id, name, v, v, v) }
    }
    pub fn boolean(id: u32, name: &'static str, def: bool) -> Self {
        Control { type_: uapi::V4L2_CTRL_TYPE_BOOLEAN, ..Self::int(id, name, 0, 1, def as i64) }
    }
    pub fn menu(id: u32, name: &'static str, items: Vec<&'static str>, def: i64) -> Self {
        let max = items.len() as i64 - 1;
        Control { type_: uapi::V4L2_CTRL_TYPE_MENU, menu: Menu::Names(items), ..Self::int(id, name, 0, max, def) }
    }
    pub fn int_menu(id: u32, name: &'static str, items: Vec<i64>, def: i64) -> Self {
        let max = items.len() as i64 - 1;
        Control { type_: uapi::V4L2_CTRL_TYPE_INTEGER_MENU, menu: Menu::Ints(items), ..Self::int(id, name, 0, max, def) }
    }
    pub fn read_only(mut self) -> Self {
        self.flags |= uapi::V4L2_CTRL_FLAG_READ_ONLY;
        self
    }
    pub fn with_flags(mut self, f: u32) -> Self {
        self.flags |= f;
        self
    }
    fn class(id: u32) -> u32 {
        (id & 0x0fff_0000) | 1
    }
    fn is_class(&self) -> bool {
        self.type_ == uapi::V4L2_CTRL_TYPE_CTRL_CLASS
    }
    /// The value the framework stores for a requested one, or the errno it refuses it with.
    fn validate(&self, v: i64) -> Result<i64, i32> {
        match self.type_ {
            uapi::V4L2_CTRL_TYPE_BOOLEAN => Ok((v != 0) as i64),
            uapi::V4L2_CTRL_TYPE_MENU | uapi::V4L2_CTRL_TYPE_INTEGER_MENU => {
                if v < self.min || v > self.max {
                    Err(ERANGE)
                } else {
                    Ok(v)
                }
            }
            _ => {
                // Integers: clamp, then round to the nearest step from the minimum.
                let c = v.clamp(self.min, self.max);
                let step = self.step.max(1) as i64;
                let r = self.min + ((c - self.min) + step / 2) / step * step;
                Ok(if r > self.max { r - step } else { r })
            }
        }
    }
    /// Change the range as `v4l2_ctrl_modify_range` does: the current value is clamped
    /// into the new range.
    pub fn modify_range(&mut self, min: i64, max: i64, def: i64) {
        self.min = min;
        self.max = max;
        self.def = def;
        self.value = self.validate(self.value).unwrap_or(def);
    }
}

#[derive(Debug, Clone, Default)]
pub struct Controls {
    ctrls: Vec<Control>,
}

impl Controls {
    /// A handler holding `ctrls` plus the class control of every class they belong to.
    pub fn new(mut ctrls: Vec<Control>) -> Self {
        let mut classes: Vec<u32> = ctrls.iter().map(|c| Control::class(c.id)).collect();
        classes.sort();
        classes.dedup();
        for c in classes {
            let name = match c {
                cid::USER_CLASS => "User Controls",
                cid::CAMERA_CLASS => "Camera Controls",
                cid::IMAGE_SOURCE_CLASS => "Image Source Controls",
                cid::IMAGE_PROC_CLASS => "Image Processing Controls",
                _ => "Driver Controls",
            };
            ctrls.push(Control {
                type_: uapi::V4L2_CTRL_TYPE_CTRL_CLASS,
                flags: uapi::V4L2_CTRL_FLAG_READ_ONLY | uapi::V4L2_CTRL_FLAG_WRITE_ONLY,
                ..Control::int(c, name, 0, 0, 0)
            });
        }
        ctrls.sort_by_key(|c| c.id);
        Controls { ctrls }
    }

    pub fn get(&self, id: u32) -> Option<&Control> {
        self.ctrls.iter().find(|c| c.id == id)
    }
    pub fn get_mut(&mut self, id: u32) -> Option<&mut Control> {
        self.ctrls.iter_mut().find(|c| c.id == id)
    }
    pub fn value(&self, id: u32) -> Option<i64> {
        self.get(id).map(|c| c.value)
    }

    /// The control `QUERY_EXT_CTRL` describes for a requested id (with the NEXT flags).
    fn find_query(&self, id: u32) -> Result<&Control, i32> {
        let next = id & (uapi::V4L2_CTRL_FLAG_NEXT_CTRL | uapi::V4L2_CTRL_FLAG_NEXT_COMPOUND) != 0;
        let base = id & uapi::V4L2_CTRL_ID_MASK;
        if next {
            // Every control here is a simple one: NEXT_COMPOUND alone finds nothing.
            if id & uapi::V4L2_CTRL_FLAG_NEXT_CTRL == 0 {
                return Err(EINVAL);
            }
            self.ctrls.iter().find(|c| c.id > base).ok_or(EINVAL)
        } else {
            self.get(base).ok_or(EINVAL)
        }
    }

    pub fn query_ext(&self, q: &mut uapi::V4l2QueryExtCtrl) -> Result<(), i32> {
        let c = self.find_query(q.id)?.clone();
        *q = bytemuck::Zeroable::zeroed();
        q.id = c.id;
        q.type_ = c.type_;
        uapi::put_name(&mut q.name, c.name);
        q.minimum = c.min;
        q.maximum = c.max;
        q.step = c.step;
        q.default_value = c.def;
        q.flags = c.flags;
        q.elem_size = if c.is_class() {
            0
        } else if c.type_ == uapi::V4L2_CTRL_TYPE_INTEGER64 {
            8
        } else {
            4
        };
        q.elems = 1;
        if c.is_class() {
            q.step = 0;
        }
        Ok(())
    }

    pub fn query(&self, q: &mut uapi::V4l2Queryctrl) -> Result<(), i32> {
        let c = self.find_query(q.id)?.clone();
        *q = bytemuck::Zeroable::zeroed();
        q.id = c.id;
        q.type_ = c.type_;
        uapi::put_name(&mut q.name, c.name);
        // QUERYCTRL has 32-bit fields: 64-bit controls report their full range clipped.
        let clip = |v: i64| v.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        if c.type_ == uapi::V4L2_CTRL_TYPE_INTEGER64 {
            q.minimum = 0;
            q.maximum = 0;
            q.step = 0;
            q.default_value = 0;
        } else {
            q.minimum = clip(c.min);
            q.maximum = clip(c.max);
            q.step = if c.is_class() { 0 } else { c.step as i32 };
            q.default_value = clip(c.def);
        }
        q.flags = c.flags;
        Ok(())
    }

    pub fn query_menu(&self, q: &mut uapi::V4l2Querymenu) -> Result<(), i32> {
        let c = self.get(q.id).ok_or(EINVAL)?;
        let i = q.index as i64;
        if i < c.min || i > c.max {
            return Err(EINVAL);
        }
        q.name_or_value = [0; 32];
        q.reserved = 0;
        match &c.menu {
            Menu::Names(n) => {
                let name = n.get(q.index as usize).ok_or(EINVAL)?;
                if name.is_empty() {
                    return Err(EINVAL);
                }
                let b = name.as_bytes();
                let len = b.len().min(31);
                q.name_or_value[..len].copy_from_slice(&b[..len]);
            }
            Menu::Ints(v) => {
                let x = v.get(q.index as usize).ok_or(EINVAL)?;
                q.name_or_value[..8].copy_from_slice(&x.to_le_bytes());
            }
            Menu::None => return Err(EINVAL),
        }
        Ok(())
    }

    /// Value of a control for G_CTRL / G_EXT_CTRLS.
    pub fn read(&self, id: u32, which: u32) -> Result<i64, i32> {
        let c = self.get(id).ok_or(EINVAL)?;
        if c.is_class() || c.flags & uapi::V4L2_CTRL_FLAG_WRITE_ONLY != 0 {
            return Err(EACCES);
        }
        Ok(if which == uapi::V4L2_CTRL_WHICH_DEF_VAL { c.def } else { c.value })
    }

    /// Checks a write without changing anything: the stored value, or the errno.
    pub fn check_write(&self, id: u32, v: i64) -> Result<i64, i32> {
        let c = self.get(id).ok_or(EINVAL)?;
        if c.is_class() {
            return Err(EACCES);
        }
        if c.flags & uapi::V4L2_CTRL_FLAG_READ_ONLY != 0 {
            return Err(EACCES);
        }
        c.validate(v)
    }

    /// Stores a value already checked by [`check_write`](Self::check_write).
    pub fn store(&mut self, id: u32, v: i64) {
        if let Some(c) = self.get_mut(id) {
            c.value = v;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Control> {
        self.ctrls.iter().filter(|c| !c.is_class())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Controls {
        Controls::new(vec![
            Control::int(cid::EXPOSURE, "Exposure", 4, 100, 50),
            Control::int(cid::ANALOGUE_GAIN, "Analogue Gain", 0, 480, 0),
            Control::menu(cid::TEST_PATTERN, "Test Pattern", vec!["Disabled", "Bars"], 0),
            Control::int(cid::HBLANK, "Horizontal Blanking", 10, 10, 10).read_only(),
        ])
    }

    #[test]
    fn enumeration_walks_classes_and_controls_by_id() {
        let c = set();
        let mut ids = vec![];
        let mut q: uapi::V4l2QueryExtCtrl = bytemuck::Zeroable::zeroed();
        q.id = uapi::V4L2_CTRL_FLAG_NEXT_CTRL | uapi::V4L2_CTRL_FLAG_NEXT_COMPOUND;
        while c.query_ext(&mut q).is_ok() {
            ids.push(q.id);
            q.id |= uapi::V4L2_CTRL_FLAG_NEXT_CTRL | uapi::V4L2_CTRL_FLAG_NEXT_COMPOUND;
        }
        assert_eq!(
            ids,
            vec![cid::USER_CLASS, cid::EXPOSURE, cid::IMAGE_SOURCE_CLASS, cid::HBLANK, cid::ANALOGUE_GAIN, cid::IMAGE_PROC_CLASS, cid::TEST_PATTERN]
        );
    }

    #[test]
    fn writes_follow_the_framework_rules() {
        let mut c = set();
        assert_eq!(c.check_write(cid::EXPOSURE, 1000), Ok(100), "integers are clamped");
        assert_eq!(c.check_write(cid::TEST_PATTERN, 2), Err(ERANGE), "menus are not");
        assert_eq!(c.check_write(cid::HBLANK, 10), Err(EACCES), "read-only");
        assert_eq!(c.check_write(0x1234, 1), Err(EINVAL), "unknown");
        c.store(cid::EXPOSURE, 90);
        c.get_mut(cid::EXPOSURE).unwrap().modify_range(4, 60, 60);
        assert_eq!(c.value(cid::EXPOSURE), Some(60), "a range change clamps the value");
    }

    #[test]
    fn menus_are_queried_by_index() {
        let c = set();
        let mut q: uapi::V4l2Querymenu = bytemuck::Zeroable::zeroed();
        q.id = cid::TEST_PATTERN;
        q.index = 1;
        c.query_menu(&mut q).unwrap();
        assert_eq!(&q.name_or_value[..5], b"Bars\0");
        q.index = 2;
        assert_eq!(c.query_menu(&mut q), Err(EINVAL));
    }
}
