//! The emulated phone's /sys and /dev as real files under the emulator's directory, laid
//! out as on the PinePhone Pro (RK3399 device tree: isp0@ff910000 for the front camera,
//! isp1@ff920000 for the rear, the sensors and the lens on i2c@ff110000), and the rule
//! that maps an application's path onto it.
//!
//! What libcamera's sysfs enumeration reads: `/sys/bus/media/devices/mediaN`, then
//! `/sys/dev/char/MAJ:MIN/uevent` (DEVNAME) for every entity's device node, and for a
//! sensor `/sys/dev/char/MAJ:MIN/device` (resolved with realpath) and its `of_node` link
//! into `/sys/firmware/devicetree`, whose path becomes the camera id.

use crate::device::{devnodes, Emu};
use crate::graph::{Role, SensorKind};
use anyhow::{Context, Result};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// The /sys subtrees the emulator owns; everything under them is looked up in its
/// directory.
const SYS_PREFIXES: [&str; 5] = ["/sys/bus/media", "/sys/dev/char", "/sys/devices/platform", "/sys/firmware/devicetree", "/sys/class/video4linux"];

/// Where an application's path goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// Not the emulator's.
    Host,
    /// A file of the emulated /sys (or a /dev node's placeholder) at this real path.
    File(PathBuf),
    /// An emulated device node: its name under /dev and its placeholder file.
    Device(String, PathBuf),
}

pub fn resolve(path: &str, root: &Path, is_device: impl Fn(&str) -> bool) -> Target {
    if let Some(name) = path.strip_prefix("/dev/") {
        if is_device(name) {
            return Target::Device(name.to_string(), root.join("dev").join(name));
        }
        return Target::Host;
    }
    for p in SYS_PREFIXES {
        if let Some(rest) = path.strip_prefix(p) {
            if rest.is_empty() || rest.starts_with('/') {
                return Target::File(root.join(&path[1..]));
            }
        }
    }
    Target::Host
}

/// A path the emulated tree produced (realpath), as the application must see it.
pub fn unresolve(real: &str, root: &Path) -> Option<String> {
    let r = root.to_str()?;
    real.strip_prefix(r).filter(|rest| rest.starts_with('/')).map(str::to_string)
}

fn write(p: &Path, text: &str) -> Result<()> {
    write_bytes(p, text.as_bytes())
}

fn write_bytes(p: &Path, data: &[u8]) -> Result<()> {
    std::fs::create_dir_all(p.parent().unwrap())?;
    std::fs::write(p, data).with_context(|| format!("writing {}", p.display()))
}

fn link(target: &str, at: &Path) -> Result<()> {
    std::fs::create_dir_all(at.parent().unwrap())?;
    let _ = std::fs::remove_file(at);
    symlink(target, at).with_context(|| format!("linking {}", at.display()))
}

/// Creates the tree for every media device of `emu` under `root`.
pub fn build(emu: &Emu, root: &Path) -> Result<()> {
    let sys = root.join("sys");
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root.join("dev")).with_context(|| format!("creating {}", root.display()))?;
    std::fs::create_dir_all(sys.join("firmware/devicetree/base"))?;
    let dt = sys.join("firmware/devicetree/base");
    for m in &emu.medias {
        let (isp_node, sensor_dev, sensor_dt) = match m.sensor.kind {
            SensorKind::Imx258 => ("isp1@ff920000", "1-001a", "camera@1a"),
            SensorKind::Ov8858 => ("isp0@ff910000", "1-0036", "camera@36"),
        };
        let pdev = format!("devices/platform/{}", m.platform);
        std::fs::create_dir_all(dt.join(isp_node))?;
        link(&format!("../../../firmware/devicetree/base/{isp_node}"), &sys.join(&pdev).join("of_node"))?;
        // The media device.
        let md = sys.join(&pdev).join(&m.node.name);
        write(&md.join("dev"), &format!("{}:{}\n", m.node.major, m.node.minor))?;
        write(&md.join("uevent"), &format!("MAJOR={}\nMINOR={}\nDEVNAME={}\n", m.node.major, m.node.minor, m.node.name))?;
        write(&md.join("model"), "rkisp1\n")?;
        link(&format!("../../../{pdev}/{}", m.node.name), &sys.join("bus/media/devices").join(&m.node.name))?;
        link(&format!("../../{pdev}/{}", m.node.name), &sys.join(format!("dev/char/{}:{}", m.node.major, m.node.minor)))?;
        write(&root.join("dev").join(&m.node.name), "")?;
        for (d, name, role) in devnodes(m) {
            // Sensors and the lens are I2C devices; everything else belongs to the ISP.
            let (parent, parent_rel) = match role {
                Role::Sensor | Role::Lens => {
                    let (client, node) = if role == Role::Lens { ("1-000c", "focus@c") } else { (sensor_dev, sensor_dt) };
                    let client_dir = format!("devices/platform/ff110000.i2c/i2c-1/{client}");
                    let node_dir = dt.join("i2c@ff110000").join(node);
                    std::fs::create_dir_all(&node_dir)?;
                    if role == Role::Sensor {
                        // The properties the driver's controls come from, as the kernel
                        // exposes them: one big-endian u32 cell each.
                        let p = m.sensor.kind.dt_properties();
                        write_bytes(&node_dir.join("orientation"), &p.orientation.to_be_bytes())?;
                        write_bytes(&node_dir.join("rotation"), &p.rotation.to_be_bytes())?;
                    }
                    link(&format!("../../../../../firmware/devicetree/base/i2c@ff110000/{node}"), &sys.join(&client_dir).join("of_node"))?;
                    write(&sys.join(&client_dir).join("name"), &format!("{}\n", name.split(' ').next().unwrap()))?;
                    (client_dir, client.to_string())
                }
                _ => (pdev.clone(), m.platform.clone()),
            };
            let node_dir = format!("{parent}/video4linux/{}", d.name);
            let nd = sys.join(&node_dir);
            write(&nd.join("dev"), &format!("{}:{}\n", d.major, d.minor))?;
            write(&nd.join("uevent"), &format!("MAJOR={}\nMINOR={}\nDEVNAME={}\n", d.major, d.minor, d.name))?;
            write(&nd.join("name"), &format!("{name}\n"))?;
            link(&format!("../../../{parent_rel}"), &nd.join("device"))?;
            link(&format!("../../{node_dir}"), &sys.join(format!("dev/char/{}:{}", d.major, d.minor)))?;
            link(&format!("../../{node_dir}"), &sys.join("class/video4linux").join(&d.name))?;
            write(&root.join("dev").join(&d.name), "")?;
        }
    }
    Ok(())
}

pub fn dev_dir(root: &Path) -> PathBuf {
    root.join("dev")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uapi::cid;

    #[test]
    fn paths_map_onto_the_tree() {
        let root = Path::new("/tmp/emu");
        let dev = |n: &str| n == "video0";
        assert_eq!(resolve("/dev/video0", root, dev), Target::Device("video0".into(), root.join("dev/video0")));
        assert_eq!(resolve("/dev/video9", root, dev), Target::Host);
        assert_eq!(resolve("/dev/null", root, dev), Target::Host);
        assert_eq!(resolve("/sys/bus/media/devices", root, dev), Target::File(root.join("sys/bus/media/devices")));
        assert_eq!(resolve("/sys/bus/mediafoo", root, dev), Target::Host);
        assert_eq!(resolve("/sys/fs/cgroup", root, dev), Target::Host);
        assert_eq!(unresolve("/tmp/emu/sys/devices/platform/x", root).as_deref(), Some("/sys/devices/platform/x"));
        assert_eq!(unresolve("/tmp/emulator/x", root), None);
    }

    #[test]
    fn tree_answers_libcameras_lookups() {
        let dir = std::env::temp_dir().join(format!("rkisp1-emu-sysfs-{}", std::process::id()));
        let emu = Emu::new(crate::config::Config::from_lookup(|_| None).unwrap()).unwrap();
        build(&emu, &dir).unwrap();
        let mut medias: Vec<_> = std::fs::read_dir(dir.join("sys/bus/media/devices")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        medias.sort();
        assert_eq!(medias, ["media0", "media1"]);
        // The rear sensor's node: uevent names it, its device resolves to the I2C client
        // whose of_node is the camera's DT node.
        let m = &emu.medias[0];
        let s = m.graph.entities[m.entity(Role::Sensor)].devnode.clone().unwrap();
        let char_dir = dir.join(format!("sys/dev/char/{}:{}", s.major, s.minor));
        let uevent = std::fs::read_to_string(char_dir.join("uevent")).unwrap();
        assert!(uevent.contains(&format!("DEVNAME={}", s.name)), "{uevent}");
        let dev = std::fs::canonicalize(char_dir.join("device")).unwrap();
        assert_eq!(unresolve(dev.to_str().unwrap(), &std::fs::canonicalize(&dir).unwrap()).unwrap(), "/sys/devices/platform/ff110000.i2c/i2c-1/1-001a");
        let of = std::fs::canonicalize(dev.join("of_node")).unwrap();
        assert!(of.ends_with("sys/firmware/devicetree/base/i2c@ff110000/camera@1a"), "{}", of.display());
        // The DT's camera properties and the sensor's read-only controls made from them
        // (v4l2_ctrl_new_fwnode_properties): rear = back (1), 270°; front = front (0), 90°.
        let cell = |node: &str, prop: &str| {
            let b = std::fs::read(dir.join("sys/firmware/devicetree/base/i2c@ff110000").join(node).join(prop)).unwrap();
            u32::from_be_bytes(b.try_into().unwrap()) as i64
        };
        for (m, node, orientation, rotation) in [(&emu.medias[0], "camera@1a", 1, 270), (&emu.medias[1], "camera@36", 0, 90)] {
            assert_eq!((cell(node, "orientation"), cell(node, "rotation")), (orientation, rotation), "{node}");
            let c = &m.sensor.controls;
            assert_eq!(c.value(cid::CAMERA_ORIENTATION), Some(orientation), "{node}");
            assert_eq!(c.value(cid::CAMERA_SENSOR_ROTATION), Some(rotation), "{node}");
            let r = c.get(cid::CAMERA_SENSOR_ROTATION).unwrap();
            assert_eq!((r.min, r.max, r.def), (rotation, rotation, rotation), "{node}: rotation is a fixed control");
            assert_ne!(r.flags & crate::uapi::V4L2_CTRL_FLAG_READ_ONLY, 0);
            assert_ne!(c.get(cid::CAMERA_ORIENTATION).unwrap().flags & crate::uapi::V4L2_CTRL_FLAG_READ_ONLY, 0);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
