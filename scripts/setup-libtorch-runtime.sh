#!/usr/bin/env bash
# Makes TorchSharp-cpu 0.107.0 (libtorch 2.10.0) run on a distribution whose C++ runtime is older than GCC 13's,
# such as Debian 12: libLibTorchSharp.so needs GLIBCXX_3.4.32, Debian 12's libstdc++ has 3.4.30.
#
# Nothing is installed system-wide. The script
#   1. downloads Debian 13 (trixie) libc6, libstdc++6 and libgcc-s1 from Debian's registry through a private apt
#      configuration (its own sources list, lists and cache under the runtime folder) and `apt-get download`;
#   2. unpacks them with `dpkg -x` into artifacts/libtorch-runtime/root;
#   3. makes a private copy of the `dotnet` host whose ELF interpreter is trixie's ld-linux and whose DT_RPATH is
#      trixie's library folder (`patchelf`, from the running distribution), beside symlinks to the real dotnet folders.
# Only processes started through that copy use glibc 2.41 and GCC 14's libstdc++; nothing else changes.
#
# Users of a current distribution (Debian 13, Ubuntu 24.04, Fedora 39 or later), Windows and macOS need none of this.
#
# Usage: dotnet=$(scripts/setup-libtorch-runtime.sh)      prints the dotnet host to run TorchSharp code with
#   tests:   dotnet test tests/BrainTools.Checkpoint.TorchSharp.Tests      (nothing else to do: the script writes
#            artifacts/libtorch-runtime/torchsharp.runsettings, which that project uses, so its test host starts
#            through the copy; the build and the test runner stay on the system's dotnet)
#   samples: dotnet build samples/TorchSharpQuickstart -c Release
#            "$dotnet" samples/TorchSharpQuickstart/bin/Release/net10.0/TorchSharpQuickstart.dll
# On a system whose libstdc++ already has GLIBCXX_3.4.32 it prints the system dotnet and changes nothing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runtime="$repo/artifacts/libtorch-runtime"
system_dotnet="$(readlink -f "$(command -v dotnet)")"
dotnet_root="$(dirname "$system_dotnet")"

# No early exit in awk: with pipefail, ldconfig would die of SIGPIPE.
system_libstdcxx="$(/sbin/ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found { found = $NF } END { print found }')"
if [ -n "$system_libstdcxx" ] && grep -qa 'GLIBCXX_3\.4\.32' "$system_libstdcxx"; then
  # Nothing to provide: the test project's run settings stay empty, and its host is the system's dotnet.
  mkdir -p "$runtime"
  [ -f "$runtime/torchsharp.runsettings" ] || printf '<RunSettings />\n' > "$runtime/torchsharp.runsettings"
  echo "$system_dotnet"
  exit 0
fi

if [ -x "$runtime/dotnet" ] && [ -f "$runtime/.complete" ] && [ "$(cat "$runtime/.complete")" = "$system_dotnet" ]; then
  echo "$runtime/dotnet"
  exit 0
fi

sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ! command -v patchelf > /dev/null; then
  $sudo apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq patchelf > /dev/null
fi

rm -rf "$runtime"
apt_dir="$runtime/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/preferences.d" "$apt_dir/debs" "$runtime/root"
# Debian's archive as this machine's apt already reaches it (the first non-security Debian entry of its sources).
mirror="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /debian/ && $i !~ /security/) { print $i; exit } }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\// && $i ~ /debian/ && $i !~ /security/) { print $i; exit } }' /etc/apt/sources.list || true)"
fi
[ -n "$mirror" ] || { echo "setup-libtorch-runtime: no Debian archive in this machine's apt sources" >&2; exit 1; }
cat > "$apt_dir/etc/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main
SOURCES
apt_options=(
  -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
  -o "Dir::Etc::SourceParts=-"
  -o "Dir::Etc::Preferences=$apt_dir/etc/preferences"
  -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::State::status=/dev/null"
  -o "APT::Architecture=amd64"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)
apt-get "${apt_options[@]}" update -qq > /dev/null
(cd "$apt_dir/debs" && apt-get "${apt_options[@]}" download -qq libc6 libstdc++6 libgcc-s1 > /dev/null)
for deb in "$apt_dir/debs"/*.deb; do
  dpkg -x "$deb" "$runtime/root"
done

libs="$runtime/root/usr/lib/x86_64-linux-gnu"
loader="$runtime/root/usr/lib64/ld-linux-x86-64.so.2"
[ -e "$loader" ] || loader="$libs/ld-linux-x86-64.so.2"
[ -e "$loader" ] || { echo "setup-libtorch-runtime: no ld-linux in the trixie libc6 package" >&2; exit 1; }
grep -qa 'GLIBCXX_3\.4\.32' "$libs/libstdc++.so.6" || { echo "setup-libtorch-runtime: trixie libstdc++ lacks GLIBCXX_3.4.32" >&2; exit 1; }

# The muxer finds hostfxr, the SDK and the shared runtimes beside its real path, so the copy sits among symlinks.
for entry in "$dotnet_root"/*; do
  name="$(basename "$entry")"
  [ "$name" = dotnet ] || ln -s "$entry" "$runtime/$name"
done
cp "$system_dotnet" "$runtime/dotnet"
# DT_RPATH (not RUNPATH) so that it also applies to libraries loaded later by dlopen (coreclr, libtorch).
patchelf --set-interpreter "$loader" --force-rpath --set-rpath "$libs" "$runtime/dotnet"
"$runtime/dotnet" --version > /dev/null
# The TorchSharp test project picks this up (RunSettingsFilePath), so its test host starts through the copy.
cat > "$runtime/torchsharp.runsettings" <<SETTINGS
<RunSettings>
  <RunConfiguration>
    <DotNetHostPath>$runtime/dotnet</DotNetHostPath>
  </RunConfiguration>
</RunSettings>
SETTINGS
echo "$system_dotnet" > "$runtime/.complete"
echo "$runtime/dotnet"
