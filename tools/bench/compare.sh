#!/usr/bin/env bash
# Side-by-side speed of ganlab and the PyTorch reference (shared/bench),
# alternated in one session (A B A B ...) so both see the same machine load;
# prints each side's median step time over all rounds and their ratio.
#
# Usage: tools/bench/compare.sh WORKLOAD [ROUNDS] [STEPS]
#   WORKLOAD  mnist-dcgan | wgan-gp | dcgan64
#   env SHARED   path of shared/ (default: ../shared beside the repo)
#   env BENCH_CACHE  where OpenBLAS for torch was unpacked (see shared/bench/README.md)
# Needs Debian's python3-torch; results land in $OUT (default: a temp dir).
set -euo pipefail
workload=${1:?workload}
rounds=${2:-5}
steps=${3:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$top/../shared}
cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ganlab-bench}
out=${OUT:-$(mktemp -d)}
blas=$cache/blas/root/usr/lib/x86_64-linux-gnu/openblas-openmp

go build -o "$out/ganlab" "$top/cmd/ganlab"
case $workload in
mnist-dcgan) targs=(--steps "$steps") ;;
wgan-gp) targs=(--wgan-iters "$steps") ;;
dcgan64) targs=(--dcgan64-steps "$steps") ;;
*) echo "unknown workload $workload" >&2; exit 2 ;;
esac
for r in $(seq 1 "$rounds"); do
	echo "=== round $r: ganlab" >&2
	"$out/ganlab" bench --workload "$workload" --steps "$steps" --json "$out/ganlab-$r.json" >&2
	echo "=== round $r: pytorch" >&2
	LD_LIBRARY_PATH=$blas /usr/bin/python3 "$shared/bench/torch_gan_step.py" --models "$workload" \
		--no-peak "${targs[@]}" --json "$out/torch-$r.json" >&2
done
/usr/bin/python3 "$top/tools/bench/summarize.py" "$workload" "$out"
