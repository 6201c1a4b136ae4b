#!/usr/bin/env bash
# Runs every fuzz target for a fixed budget (seconds, default 60) from the committed seeds; fails on the
# first crash (or an input that takes over 10 s: -timeout), whose input libFuzzer leaves in
# fuzz/artifacts/<target>/. Installs cargo-fuzz if missing.
# FUZZ_SANITIZER (default none) picks cargo fuzz's sanitizer: `address` for long runs, where heap errors in
# upstream unsafe code are worth a build that takes twice as long (docs/reliability.md, "Fuzzing").
# cargo fuzz needs nightly-only compiler flags (-Zsanitizer); this machine has one stable toolchain, so
# RUSTC_BOOTSTRAP=1 lets the stable compiler accept them (the same compiler, not another toolchain).
# FUZZ_OPT_LEVEL (default 1) is the build's opt-level: cargo fuzz compiles every crate as one codegen unit,
# and opt-level 1 takes a minute less to build on two cores than 3 for fewer executions per second, the
# better trade for CI's 30 s (docs/reliability.md, "Fuzzing"); long runs set 3.
set -euo pipefail
cd "$(dirname "$0")"
budget="${1:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
export RUSTC_BOOTSTRAP=1
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${FUZZ_OPT_LEVEL:-1}"
targets=(load_csv load_parquet load_ipc attach_segment)
cargo fuzz build --release --sanitizer "$sanitizer"
# Every target at once (each libFuzzer process is single-threaded): the budget is wall time for all four.
run_target() {
  local target="$1" corpus="target/corpus/$1" log="target/fuzz-$1.log"
  mkdir -p "$corpus"
  cargo fuzz run --release --sanitizer "$sanitizer" "$target" "$corpus" "seeds/$target" -- \
    -max_total_time="$budget" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1
}
declare -A pids
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${budget}s"
  run_target "$target" &
  pids[$target]=$!
done
failed=()
for target in "${targets[@]}"; do
  if wait "${pids[$target]}"; then
    echo "fuzz: $target: $(grep -E '^stat::number_of_executed_units' "target/fuzz-$target.log" || echo 'no stats')"
  else
    failed+=("$target")
  fi
done
for target in "${failed[@]}"; do
  tail -n 80 "target/fuzz-$target.log"
  echo "fuzz: $target found a crash; its input is in fuzz/artifacts/$target/ (make it a regression test)"
done
[ "${#failed[@]}" -eq 0 ]
