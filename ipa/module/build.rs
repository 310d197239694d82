// Generates the C++ side of the bridge (header + glue) and compiles the glue into this
// crate's static library. The header is picked up by meson from target/cxxbridge/.
fn main() {
    cxx_build::bridge("src/lib.rs").std("c++17").compile("rkisp1_ipa_module_bridge");
    println!("cargo:rerun-if-changed=src/lib.rs");
}
