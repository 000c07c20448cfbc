#!/usr/bin/env bash
# Runs every test project in Release and ends with one line: "N passed, N failed, N skipped".
# Exit code: 0 when nothing failed, 1 otherwise.
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.ci/setup.sh"
jv_prepare
cd "$JV_ROOT"

results="$JV_ROOT/.test-results"
rm -rf "$results"
mkdir -p "$results"

echo "building the solution (Release) ..."
if ! dotnet build Jepa.Verify.sln -c Release -nologo -v quiet >"$results/build.log" 2>&1; then
  grep -E ": error |error NU|error MSB" "$results/build.log" | sort -u | head -20
  echo "the build failed; full log in $results/build.log"
  echo "0 passed, 1 failed"
  exit 1
fi

# The command line as ./jepa-verify builds it (Native AOT or ReadyToRun), for the tests that run the executable.
echo "publishing the command line ..."
if ! ( if command -v flock >/dev/null 2>&1; then flock 9; fi
       jv_publish "$JV_ROOT/src/Jepa.Verify.Cli/Jepa.Verify.Cli.csproj" "$JV_ROOT/.build/cli" "$JV_ROOT/.build-stamp" ) 9>"$JV_ROOT/.build-lock"; then
  echo "0 passed, 1 failed"
  exit 1
fi
export JV_PUBLISHED_CLI="$JV_ROOT/.build/cli/jepa-verify"

# One run per project, each with its own results folder, so every count is attributed to its project.
passed=0 failed=0 skipped=0
attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2"; }
# Adds the counts of one trx file; a missing file, or a non-zero exit with no failure recorded, is one failure.
tally() {
  local name="$1" trx="$2" rc="$3" counters total executed p f
  if [ ! -f "$trx" ]; then
    echo "$name produced no results (exit code $rc): counted as one failure"
    failed=$((failed + 1))
    return
  fi
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  total=$(attr total "$counters"); executed=$(attr executed "$counters")
  p=$(attr passed "$counters")
  f=$(( $(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters") ))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$name: dotnet test exited with $rc although every recorded test passed: counted as one failure"
    f=1
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + total - executed))
}
for project in $(find tests properties -name '*.csproj' | sort); do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results/$name"
  tally "$name" "$results/$name/$name.trx" $?
done

# The Testing package as a user consumes it: packed, restored offline from the .nupkg files into a throwaway project.
echo "packing the libraries and running a consumer project against the packages ..."
rm -rf "$results/consumer"
tests/consumer/run.sh "$results/consumer"
tally "the consumer project" "$results/consumer/consumer.trx" $?

# The Python bridge (python/) and the PyTorch example (examples/pytorch/), with Debian's python3-torch, python3-onnx,
# python3-numpy and python3-pytest: test-time dependencies only (the tool never needs them), installed when we can.
python_tests() {
  local missing
  mapfile -t missing < <(jv_missing "${JV_PYTHON_TEST_PACKAGES[@]}")
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "the Python tests need Debian's ${missing[*]}; run: sudo apt-get install -y ${missing[*]} (counted as one failure)"
      return 1
    fi
    echo "installing ${missing[*]} for the Python tests ..."
    local start=$SECONDS
    if ! jv_apt_install "${missing[@]}"; then
      echo "apt-get could not install ${missing[*]} (counted as one failure)"
      return 1
    fi
    echo "installed them in $((SECONDS - start)) s"
  fi
  JEPA_VERIFY="$JV_PUBLISHED_CLI" PYTHONPATH="$JV_ROOT/python" PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 -m pytest "$JV_ROOT/python/tests" -q -p no:cacheprovider --junitxml="$results/python.xml"
}
python_tests
rc=$?
if [ -f "$results/python.xml" ]; then
  suite="$(grep -o '<testsuite [^>]*>' "$results/python.xml" | head -1)"
  t=$(attr tests "$suite"); e=$(attr errors "$suite"); f=$(attr failures "$suite"); s=$(attr skipped "$suite")
  passed=$((passed + t - e - f - s)); failed=$((failed + e + f)); skipped=$((skipped + s))
  if [ "$rc" -ne 0 ] && [ $((e + f)) -eq 0 ]; then failed=$((failed + 1)); fi
else
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
