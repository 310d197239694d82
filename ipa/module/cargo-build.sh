#!/bin/sh
# Build the Rust half of the module for meson: copies the static library to OUT_LIB and
# the cxx-generated bridge header to OUT_HEADER (it includes "rust/cxx.h", found in
# TARGET_DIR/TRIPLE/cxxbridge, which meson puts on the include path).
# Usage: cargo-build.sh CARGO MANIFEST TARGET_DIR TRIPLE OUT_LIB OUT_HEADER OFFLINE
set -eu
cargo=$1 manifest=$2 target_dir=$3 triple=$4 out_lib=$5 out_header=$6 offline=$7
set -- build --release --locked -p rkisp1-ipa-module --lib \
    --manifest-path "$manifest" --target-dir "$target_dir" --target "$triple"
[ "$offline" = true ] && set -- "$@" --offline
"$cargo" "$@"
cp "$target_dir/$triple/release/librkisp1_ipa_module.a" "$out_lib"
cp -L "$target_dir/$triple/cxxbridge/rkisp1-ipa-module/src/lib.rs.h" "$out_header"
