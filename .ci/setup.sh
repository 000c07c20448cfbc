# Sourced by ./jepa-verify and ./test.sh: checks the .NET SDK, installs missing Debian packages
# (when run as root; otherwise says exactly what to install), and builds.
# Messages go to stderr so that a command's --json output stays clean.

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
JV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the tool needs at run time: Z3 (in-process, libz3.so.4), cvc5 (a second solver), and the
# DejaVu fonts the figures are drawn with (SkiaSharp's Linux build has no font lookup of its own).
JV_APT_PACKAGES=(libz3-4 cvc5 fonts-dejavu-core)
# Installed when we can (as root), not required: gcc and zlib's headers let the command line be built with
# Native AOT (it starts in about 10 ms instead of 0.2 s, and runs faster, docs/benchmarks.md); without them
# it is built ReadyToRun, which runs every command the same, more slowly.
JV_APT_OPTIONAL=(gcc zlib1g-dev)
# Test-time only (./test.sh): the Python bridge's and the PyTorch example's tests. The tool never needs them.
JV_PYTHON_TEST_PACKAGES=(python3-torch python3-onnx python3-numpy python3-pytest)

jv_require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK is not installed; install the .NET 10 SDK (Debian: see https://learn.microsoft.com/dotnet/core/install/linux-debian) and run this again" >&2
    exit 2
  fi
  local major
  major="$(dotnet --version 2>/dev/null | cut -d. -f1)"
  if [ -z "$major" ] || [ "$major" -lt 10 ]; then
    echo "error: found .NET SDK $(dotnet --version 2>/dev/null), but Jepa.Verify needs 10 or newer; install the .NET 10 SDK" >&2
    exit 2
  fi
}

# jv_missing PACKAGE...: the packages dpkg does not have installed, one per line.
jv_missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# jv_apt_install PACKAGE...: installs the packages quietly; false when apt cannot.
jv_apt_install() {
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >/dev/null 2>&1
}

jv_install_packages() {
  local missing optional
  mapfile -t missing < <(jv_missing "${JV_APT_PACKAGES[@]}")
  mapfile -t optional < <(jv_missing "${JV_APT_OPTIONAL[@]}")
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "error: missing Debian packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]} ${optional[*]}" >&2
      exit 2
    fi
    echo "installing ${missing[*]} ..." >&2
    if ! jv_apt_install "${missing[@]}"; then
      echo "error: apt-get could not install ${missing[*]}; install them by hand and run this again" >&2
      exit 2
    fi
  fi
  # The optional packages are tried once (as root); if apt cannot get them, the build is ReadyToRun.
  if [ "${#optional[@]}" -gt 0 ] && [ "$(id -u)" -eq 0 ] && [ ! -f "$JV_ROOT/.no-native-toolchain" ]; then
    echo "installing ${optional[*]} (for the Native AOT build) ..." >&2
    if ! jv_apt_install "${optional[@]}"; then
      echo "note: apt-get could not install ${optional[*]}; building ReadyToRun instead of Native AOT" >&2
      touch "$JV_ROOT/.no-native-toolchain"
    fi
  fi
}

jv_prepare() {
  jv_require_dotnet
  jv_install_packages
}

# jv_packages_present: a quick look (no dpkg) for what the packages install; the launcher runs it on every call.
jv_packages_present() {
  command -v cvc5 >/dev/null 2>&1 && [ -n "$(ls /usr/lib/*/libz3.so.4 /usr/lib/libz3.so.4 2>/dev/null | head -1)" ] \
    && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
    && { jv_native_toolchain || [ "$(id -u)" -ne 0 ] || [ -f "$JV_ROOT/.no-native-toolchain" ]; }
}

# jv_native_toolchain: true when Native AOT can link here (a C compiler and zlib's headers).
jv_native_toolchain() {
  { command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1; } && [ -f /usr/include/zlib.h ]
}

# jv_stale STAMP: true when STAMP is missing or older than a source file.
jv_stale() {
  local stamp="$1"
  [ ! -f "$stamp" ] || [ -n "$(find "$JV_ROOT/src" "$JV_ROOT/tests" "$JV_ROOT/properties" "$JV_ROOT/proofs" \
        "$JV_ROOT/Directory.Build.props" "$JV_ROOT/Directory.Packages.props" "$JV_ROOT/global.json" \
        \( -name bin -o -name obj \) -prune -o -type f -newer "$stamp" -print -quit 2>/dev/null)" ]
}

# jv_publish PROJECT OUT STAMP: publishes PROJECT ahead-of-time compiled into OUT unless STAMP is fresh: Native AOT
# (one native executable, compiled for this machine's processor) where jv_native_toolchain holds, else ReadyToRun.
# A Native AOT build that fails (the native linker, an AOT analysis warning) is reported and replaced by ReadyToRun.
jv_publish() {
  local target="$1" out="$2" stamp="$3" log
  jv_stale "$stamp" || return 0
  jv_require_dotnet
  log="$(mktemp)"
  [ -n "$out" ] && rm -rf "$out" # a ReadyToRun build's assemblies must not sit beside a native executable, nor the reverse
  if jv_native_toolchain; then
    echo "building $(basename "$target") (Release, Native AOT; about 2 minutes) ..." >&2
    if dotnet publish "$target" -c Release -r linux-x64 -p:PublishAot=true -o "$out" -nologo -v quiet >"$log" 2>&1; then
      rm -f "$log"
      touch "$stamp"
      return 0
    fi
    grep -E ": (error|warning) |error NU|error MSB" "$log" | sort -u | head -5 >&2
    echo "note: the Native AOT build failed (full log in $log); building ReadyToRun instead" >&2
    rm -rf "$out"
    log="$(mktemp)"
  else
    echo "building $(basename "$target") (Release, ReadyToRun: no gcc or zlib headers for Native AOT) ..." >&2
  fi
  if ! dotnet publish "$target" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
        -o "$out" -nologo -v quiet >"$log" 2>&1; then
    grep -E ": error |error NU|error MSB" "$log" | sort -u | head -20 >&2
    echo "error: the build failed; full log in $log" >&2
    exit 2
  fi
  rm -f "$log"
  touch "$stamp"
}

# jv_build TARGET STAMP: builds TARGET in Release unless STAMP is newer than every source file.
jv_build() {
  local target="$1" stamp="$2" log
  jv_stale "$stamp" || return 0
  log="$(mktemp)"
  echo "building $(basename "$target") (Release) ..." >&2
  if ! dotnet build "$target" -c Release -nologo -v quiet >"$log" 2>&1; then
    grep -E ": error |error NU|error MSB" "$log" | sort -u | head -20 >&2
    echo "error: the build failed; full log in $log" >&2
    exit 2
  fi
  rm -f "$log"
  touch "$stamp"
}
