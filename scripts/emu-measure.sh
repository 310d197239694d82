# Shared by scripts/test-emu and scripts/test-libcamera-fix (sourced, not run): measuring
# frames captured on the emulated phone with rkisp1-emu-frames (emu/src/bin/), which decodes
# them with the format the emulator's report records, and reading its results back.
# Needs: frames_bin (the built rkisp1-emu-frames).

# emu_measure DIR MEDIA [CHECK...]: measure DIR/frame-*.bin against DIR/report.jsonl
# (media device MEDIA), PNGs of the first and last frame into DIR, the figures into
# DIR/measure.txt; prints their last lines. CHECK: --max-neutral-deg D, --level MIN:MAX
# (a failed check is a non-zero status).
emu_measure() {
    local dir=$1 media=$2 status=0
    shift 2
    "$frames_bin" --report "$dir/report.jsonl" --media "$media" --png-dir "$dir" "$@" \
        "$dir"/frame-*.bin >"$dir/measure.txt" || status=$?
    tail -4 "$dir/measure.txt"
    return $status
}

# emu_figures DIR: "MEAN NEUTRAL" (mean Y', neutral error in degrees) of the last frames
# from DIR/measure.txt, or "- -" when there are none.
emu_figures() {
    sed -n "s/^last .*mean Y' \([0-9.]*\),.*neutral error \([0-9.]*\)°.*/\1 \2/p" \
        "$1/measure.txt" 2>/dev/null | grep . || echo "- -"
}

# emu_stream REPORT MEDIA: "FOURCC WIDTHxHEIGHT SENSOR_WIDTHxSENSOR_HEIGHT" of the last stream
# the emulator's report records on media device MEDIA (the capture format and the sensor
# mode it streamed from), or "-" when it has none (nothing streamed).
emu_stream() {
    grep '"event":"stream"' "$1" 2>/dev/null | grep "\"media\":$2," | tail -1 |
        sed -n 's/.*"fourcc":"\([^"]*\)".*"sensor":\[\([0-9]*\),\([0-9]*\)\].*"height":\([0-9]*\),.*"width":\([0-9]*\)}$/\1 \5x\4 \2x\3/p' |
        grep . || echo "-"
}
