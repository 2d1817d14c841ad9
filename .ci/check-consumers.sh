#!/usr/bin/env bash
# The consumer matrix: projects in .ci/consumers/ install the packed tarball as users do and use
# it for real (the scenario in consumers/shared/scenario.cjs): the local test server, 20
# concurrent requests through an attached axios instance, exactly one token request, coded errors.
# Jest 29 in CommonJS mode (ts-jest, babel-jest), a NestJS 11 app, Vitest, and plain import /
# require() on this machine's Node, Node 20.19.0 (the engines floor), 22 and 24, with the newest
# axios and with axios 1.6.0 (the lowest the peer range allows).
#
# Toolchains and Node binaries come from committed lock files; axios@latest is resolved at run
# time on purpose, so that a new axios release that breaks the package turns this red.
# Needs the npm registry. Packs the working tree's dist/ (run `npm run build` first), or takes
# a tarball as $1. Prints one line a job, and the full output of any that failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
consumers=$root/.ci/consumers
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

tarball=${1:-}
if [ -z "$tarball" ]; then
  tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
fi
tarball=$(realpath "$tarball")
quiet=(--no-audit --no-fund --loglevel=error)

# ---- installs, side by side -------------------------------------------------------------------
declare -A pids
install() { # name, command...
  local name=$1
  shift
  ("$@") >"$work/install-$name.log" 2>&1 &
  pids[$name]=$!
}
install toolchains bash -c "cd '$consumers' && npm ci ${quiet[*]} && npm install --no-save ${quiet[*]} '$tarball' axios@latest"
# Each package has a bin named node: no links, the runner calls each by its path.
install node-binaries bash -c "cd '$consumers/node-versions' && npm ci --no-bin-links ${quiet[*]}"
# A copy of node/ beside a copy of shared/, so that its scripts find the scenario where they look.
lowest=$work/axios-lowest
mkdir -p "$lowest/node"
cp -R "$consumers/shared" "$lowest/"
cp "$consumers/node/package.json" "$consumers/node/"*.mjs "$consumers/node/"*.cjs "$lowest/node/"
install axios-1.6.0 bash -c "cd '$lowest/node' && npm install --no-save ${quiet[*]} '$tarball' axios@1.6.0"
for name in "${!pids[@]}"; do
  if ! wait "${pids[$name]}"; then
    echo "install of $name failed:"
    cat "$work/install-$name.log"
    exit 1
  fi
done
axios_latest=$(node -p "require('$consumers/node_modules/axios/package.json').version")
echo "installed in $((SECONDS - started)) s: $(basename "$tarball"), axios $axios_latest and 1.6.0"

# ---- the jobs, two at a time (2 cores) ---------------------------------------------------------
nodes=("$(command -v node)")
for v in 20 22 24; do nodes+=("$consumers/node-versions/node_modules/node-$v/bin/node"); done
plain() { # directory: import, require() and both in one process, on every Node
  local dir=$1 node
  for node in "${nodes[@]}"; do
    for script in import.mjs require.cjs dual.mjs; do
      (cd "$dir" && "$node" "$script")
    done
  done
}
jobs_list=(
  "jest-ts-jest|cd '$consumers/jest-ts-jest' && npm test"
  "nestjs|cd '$consumers/nestjs' && npm run typecheck && npm test"
  "jest-babel|cd '$consumers/jest-babel' && npm test"
  "vitest|cd '$consumers/vitest' && npm test"
  "node, axios $axios_latest|plain '$consumers/node'"
  "node, axios 1.6.0|plain '$lowest/node'"
)
run_job() { # index, name, command
  local t=$SECONDS status=0
  eval "$3" >"$work/job-$1.log" 2>&1 || status=$?
  echo "$status $((SECONDS - t))" >"$work/job-$1.status"
}
i=0
for job in "${jobs_list[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
  run_job "$i" "${job%%|*}" "${job#*|}" &
  i=$((i + 1))
done
wait

failed=0
grep -h ': ok (' "$work"/job-*.log | sed 's/^/      /' || true
for i in "${!jobs_list[@]}"; do
  name=${jobs_list[$i]%%|*}
  read -r status took <"$work/job-$i.status"
  if [ "$status" = 0 ]; then
    echo "ok    $name (${took} s)"
  else
    echo "FAIL  $name (${took} s, exit $status)"
    failed=$((failed + 1))
  fi
done
for i in "${!jobs_list[@]}"; do
  read -r status _ <"$work/job-$i.status"
  [ "$status" = 0 ] && continue
  echo
  echo "---- ${jobs_list[$i]%%|*} ----"
  cat "$work/job-$i.log"
done
echo "consumer matrix done in $((SECONDS - started)) s"
echo "consumers: $((${#jobs_list[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ]
