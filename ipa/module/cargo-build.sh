#!/bin/sh
# Build the Rust half of the module for meson: copies the static library to OUT_LIB, the
# cxx-generated bridge header to OUT_HEADER (it includes "rust/cxx.h", found in
# TARGET_DIR/TRIPLE/cxxbridge, which meson puts on the include path) and the control table
# that build.rs generated (rkisp1_ipa_controls.h, in the build script's OUT_DIR beside the
# bridge header) to OUT_CONTROLS.
# Usage: cargo-build.sh CARGO MANIFEST TARGET_DIR TRIPLE OUT_LIB OUT_HEADER OUT_CONTROLS OFFLINE
set -eu
cargo=$1 manifest=$2 target_dir=$3 triple=$4 out_lib=$5 out_header=$6 out_controls=$7 offline=$8
set -- build --release --locked -p rkisp1-ipa-module --lib \
    --manifest-path "$manifest" --target-dir "$target_dir" --target "$triple"
[ "$offline" = true ] && set -- "$@" --offline
"$cargo" "$@"
cp "$target_dir/$triple/release/librkisp1_ipa_module.a" "$out_lib"
bridge_rel=cxxbridge/rkisp1-ipa-module/src/lib.rs.h
cp -L "$target_dir/$triple/$bridge_rel" "$out_header"
# target/cxxbridge links to the header in the current OUT_DIR: OUT_DIR/cxxbridge/include/…
bridge=$(readlink -f "$target_dir/$triple/$bridge_rel")
out_dir=${bridge%/cxxbridge/include/rkisp1-ipa-module/src/lib.rs.h}
[ -f "$out_dir/rkisp1_ipa_controls.h" ] ||
    { echo "cargo-build.sh: no rkisp1_ipa_controls.h in the build script's OUT_DIR ($out_dir)" >&2; exit 1; }
cp "$out_dir/rkisp1_ipa_controls.h" "$out_controls"
