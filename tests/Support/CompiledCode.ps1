# Where the loader looks for the module's ReadyToRun code on this runtime and platform
# (r2r/net<major>.0/<rid>), the same way src/Loader/CompiledCode.cs does. Dot-sourced both at
# discovery (for -Skip) and in BeforeAll.
function Get-CompiledCodeFolder([string] $ModulePath) {
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $arch = [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    Join-Path $ModulePath "r2r/net$([Environment]::Version.Major).0/$os-$arch"
}
