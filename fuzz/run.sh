#!/usr/bin/env bash
# Runs every fuzz target for a fixed budget (seconds, default 60) from the committed seeds; fails on the
# first crash (or an input that takes over 10 s: -timeout), whose input libFuzzer leaves in
# fuzz/artifacts/<target>/. Installs cargo-fuzz if missing.
# cargo fuzz needs nightly-only compiler flags (-Zsanitizer); this machine has one stable toolchain, so
# RUSTC_BOOTSTRAP=1 lets the stable compiler accept them (the same compiler, not another toolchain).
set -euo pipefail
cd "$(dirname "$0")"
budget="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
export RUSTC_BOOTSTRAP=1
targets=(load_csv load_parquet load_ipc attach_segment)
cargo fuzz build --release
for target in "${targets[@]}"; do
  corpus="target/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${budget}s"
  log="target/fuzz-$target.log"
  if ! cargo fuzz run --release "$target" "$corpus" "seeds/$target" -- \
      -max_total_time="$budget" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 80 "$log"
    echo "fuzz: $target found a crash; its input is in fuzz/artifacts/$target/ (make it a regression test)"
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
done
