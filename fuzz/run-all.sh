#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) with the binaries that
# `RUSTC_BOOTSTRAP=1 cargo fuzz build -O` produced, one after another, and
# prints one summary line per target. Crashing inputs are copied to
# regressions/<target>/ so `cargo test --test fuzz_regressions` replays them.
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
bin_dir=$(dirname "$(find target -path '*/release/zip_pipeline' -type f | head -1)")
[ -x "$bin_dir/zip_pipeline" ] || { echo "build first: RUSTC_BOOTSTRAP=1 cargo fuzz build -O" >&2; exit 2; }
[ -d corpus ] || bash seed.sh
mkdir -p artifacts logs regressions
for target in zip_pipeline parse_xml parse_json parse_yaml model_files workspace_files; do
  mkdir -p "artifacts/$target" "corpus/$target" "regressions/$target"
  "$bin_dir/$target" "corpus/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 > "logs/$target.log" 2>&1
  status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$target.log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "logs/$target.log" | tail -1)
  found=$(find "artifacts/$target" -type f | wc -l)
  cp -n artifacts/"$target"/* "regressions/$target/" 2>/dev/null
  echo "$target: ${seconds}s, ${execs:-?} executions, ${cov:-cov ?}, exit $status, $found crash/timeout/oom inputs"
done
