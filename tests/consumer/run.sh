#!/usr/bin/env bash
# The Testing package as a user consumes it (README, "In your own xunit tests"): packs every library from the Release
# build, then builds and runs a throwaway xunit project (ConsumerTests.cs) that references only Jepa.Verify.Testing,
# restored from those .nupkg files. Offline: the only package source is the folder of packed files; everything else
# comes from the machine's NuGet cache, read as a fallback folder, and our packages land in a packages folder of the
# run's own, so an earlier run's copies can never stand in for this build's.
# Usage: tests/consumer/run.sh RESULTS_DIR (after `dotnet build Jepa.Verify.sln -c Release`); writes consumer.trx there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
results="${1:?usage: tests/consumer/run.sh RESULTS_DIR}"
mkdir -p "$results"
results="$(cd "$results" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"

for project in src/Jepa.Verify.Mdp src/Jepa.Verify.Smt src/Jepa.Verify.Learning src/Jepa.Verify.Environments \
               proofs/Jepa.Verify.Proofs src/Jepa.Verify.Pipeline src/Jepa.Verify.Testing; do
  dotnet pack "$root/$project" -c Release --no-build --nologo -v quiet -o "$work/feed" >/dev/null
done

version() { sed -n "s/.*Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" "$root/Directory.Packages.props"; }
mkdir -p "$work/consumer"
cat >"$work/consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources><clear /><add key="packed" value="$work/feed" /></packageSources>
  <fallbackPackageFolders><clear /><add key="cache" value="$cache" /></fallbackPackageFolders>
</configuration>
XML
cat >"$work/consumer/Consumer.Tests.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Jepa.Verify.Testing" Version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")" />
    <PackageReference Include="FsCheck.Xunit" Version="$(version FsCheck.Xunit)" />
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="$(version Microsoft.NET.Test.Sdk)" />
    <PackageReference Include="xunit" Version="$(version xunit)" />
    <PackageReference Include="xunit.runner.visualstudio" Version="$(version xunit.runner.visualstudio)" />
  </ItemGroup>
  <ItemGroup>
    <None Include="counting.json" CopyToOutputDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
XML
cp "$root/tests/consumer/ConsumerTests.cs" "$root/examples/counting.json" "$work/consumer/"
# Outside the repository, so none of its Directory.*.props apply: the project is a user's, not ours.
dotnet test "$work/consumer/Consumer.Tests.csproj" -c Release --nologo \
  --logger "trx;LogFileName=consumer.trx" --logger "console;verbosity=minimal" --results-directory "$results"
