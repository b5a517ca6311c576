<#
.SYNOPSIS
    Builds, tests and demonstrates the Mnesis module.
.DESCRIPTION
    Build   assembles an importable module in out/Mnesis (default), help included.
    Docs    turns docs/*.md (platyPS schema) into out/Mnesis/en-US MAML and about_*.help.txt:
            with platyPS where it is installed, else with tools/MarkdownHelp.psm1.
    Test    builds, then runs the Pester suite in a child pwsh and, on Linux, again in the
            Windows build of PowerShell under Wine (TestWindows); prints each platform's
            "Pester (<platform>): ..." line and ends with the totals of both,
            "Pester: N passed, N failed, N skipped"; exits non-zero when anything failed.
            Each test file runs in a pwsh of its own with a deadline (-TestFileTimeoutSeconds);
            each platform's suite is killed after -TestTimeoutMinutes (Windows: -WindowsTestTimeoutMinutes)
            and counted as one more failure.
    TestWindows  builds, then runs the suite only under Wine (installing Debian's wine where it
            is missing, as root) in a self-contained win-x64 PowerShell host (tools/WindowsHost),
            against the module's Windows natives; ends with "Pester (Windows): ..." and the totals.
    Demo    builds, then runs examples/ServiceInventory.ps1 in a child pwsh.
    Stress  builds, then runs the mixed-writer soak (tests/Stress.ps1) for -StressSeconds.
    Bench   builds, then runs bench/Bench.ps1 and writes bench/results/latest.md.
    Package builds, then writes out/Mnesis.<version>.nupkg for Install-PSResource.
    Clean   removes out/, bin/ and obj/.
    Everything comes from NuGet (packages and Pester); nothing needs the PowerShell Gallery.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Docs', 'Test', 'TestWindows', 'Demo', 'Stress', 'Bench', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [int] $StressSeconds = 300,

    # Backstops against a hung test: per test file, and for the whole suite.
    [int] $TestFileTimeoutSeconds = 300,
    [int] $TestTimeoutMinutes = 20,
    # Under Wine every process start costs seconds: the same suite takes longer there (and each
    # file gets twice -TestFileTimeoutSeconds).
    [int] $WindowsTestTimeoutMinutes = 25,

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
. (Join-Path $PSScriptRoot 'tests/Support/Pwsh.ps1')
. (Join-Path $PSScriptRoot 'tests/Support/PostgresServer.ps1')
. (Join-Path $PSScriptRoot 'tools/WindowsHost/Wine.ps1')

$ModuleName = 'Mnesis'
$ModuleOut = Join-Path $PSScriptRoot "out/$ModuleName"
$Project = Join-Path $PSScriptRoot 'Mnesis.PowerShell.csproj'
$LoaderProject = Join-Path $PSScriptRoot 'src/Loader/Mnesis.PowerShell.Loader.csproj'
# Engines in projects of their own (loaded on first use): every project under src/Engines/.
$EngineProjects = @(Get-ChildItem (Join-Path $PSScriptRoot 'src/Engines') -Filter *.csproj -Recurse | Sort-Object FullName | ForEach-Object FullName)
$PesterVersion = '5.7.1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
if ($env:CI) {
    # Plain logs in CI, here and in every child pwsh.
    $env:NO_COLOR = '1'
    if (Get-Variable PSStyle -ErrorAction Ignore) { $PSStyle.OutputRendering = 'PlainText' }
}

# The assemblies a script's first commands run: the cmdlets and the SQLite stack (not PostgreSQL's).
$ReadyToRunAssemblies = 'Mnesis.PowerShell', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3'

# The runtimes Mnesis ships a native SQLite for; keep in step with src/Platform/PlatformRuntime.cs.
$Runtimes = 'win-x64', 'win-x86', 'win-arm64', 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

function Get-NuGetPackageFolder([string] $Id) {
    $assets = Get-Content -Raw (Join-Path $PSScriptRoot 'obj/project.assets.json') | ConvertFrom-Json
    $root = $assets.project.restore.packagesPath
    $key = $assets.libraries.PSObject.Properties.Name | Where-Object { $_ -like "$Id/*" } | Select-Object -First 1
    if (-not $key) { throw "Package $Id is not in obj/project.assets.json; run a restore." }
    Join-Path $root $assets.libraries.$key.path
}

function Invoke-Build {
    $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot "$ModuleName.psd1")
    $version = $manifest.ModuleVersion
    Remove-Item $ModuleOut -Recurse -Force -ErrorAction SilentlyContinue
    $null = New-Item -ItemType Directory -Force $ModuleOut
    # Each project publishes on its own: the net8.0 ones would otherwise replace the module's
    # netstandard2.0 dependencies (which Windows PowerShell 5.1 needs) with their net8.0 builds.
    # The first one wins a file name.
    foreach ($project in @($Project, $LoaderProject) + $EngineProjects) {
        $publish = Join-Path $PSScriptRoot "obj/publish/$([IO.Path]::GetFileNameWithoutExtension($project))"
        Remove-Item $publish -Recurse -Force -ErrorAction SilentlyContinue
        Invoke-Dotnet publish $project -c $Configuration -o $publish "-p:Version=$version" --nologo --verbosity quiet
        Get-ChildItem $publish -Filter *.dll | Where-Object { -not (Test-Path (Join-Path $ModuleOut $_.Name)) } | Copy-Item -Destination $ModuleOut
    }
    foreach ($file in "$ModuleName.psd1", "$ModuleName.psm1", "$ModuleName.format.ps1xml") {
        Copy-Item (Join-Path $PSScriptRoot $file) $ModuleOut
    }
    # What the loader reads to know which assemblies are Mnesis's own (the manifest's list).
    Set-Content -LiteralPath (Join-Path $ModuleOut 'IsolatedAssemblies.txt') -Value $manifest.PrivateData.Mnesis.IsolatedAssemblies -Encoding utf8

    $natives = Join-Path (Get-NuGetPackageFolder 'SQLitePCLRaw.lib.e_sqlite3') 'runtimes'
    foreach ($rid in $Runtimes) {
        $target = Join-Path $ModuleOut "runtimes/$rid/native"
        $null = New-Item -ItemType Directory -Force $target
        Copy-Item (Join-Path $natives "$rid/native/*") $target
    }
    Invoke-ReadyToRun
    Invoke-Docs
    Write-Host "Built $ModuleName $version in $ModuleOut"
}

# Precompiles the assemblies of $ReadyToRunAssemblies into r2r/<framework>/<rid>/ for the .NET and
# the platforms (RuntimeIdentifiers) of tools/ReadyToRun/ReadyToRunPacks.csproj. The loader takes
# them instead of the IL copies beside the manifest when that .NET runs on that platform: a fresh
# session's first import and write then run compiled code instead of waiting for the JIT.
function Invoke-ReadyToRun {
    $packsProject = Join-Path $PSScriptRoot 'tools/ReadyToRun/ReadyToRunPacks.csproj'
    Invoke-Dotnet restore $packsProject --nologo --verbosity quiet
    $assets = Get-Content -Raw (Join-Path $PSScriptRoot 'tools/ReadyToRun/obj/project.assets.json') | ConvertFrom-Json
    $packages = $assets.project.restore.packagesPath
    $packs = @{}
    $targetFramework = @($assets.project.frameworks.PSObject.Properties.Name)[0]
    foreach ($framework in $assets.project.frameworks.PSObject.Properties.Value) {
        # Exact versions, written as ranges: "[10.0.12, 10.0.12]".
        foreach ($pack in $framework.downloadDependencies) { $packs[$pack.name] = ($pack.version.Trim('[', ']') -split ',')[0].Trim() }
    }
    $compilerPack = $packs.Keys | Where-Object { $_ -like 'Microsoft.NETCore.App.Crossgen2.*' } | Select-Object -First 1
    if (-not $compilerPack) { throw "Restoring $packsProject fetched no ReadyToRun compiler." }
    $compiler = Get-ChildItem -LiteralPath (Join-Path $packages "$($compilerPack.ToLowerInvariant())/$($packs[$compilerPack])/tools") -Filter 'crossgen2*' |
        Where-Object { $_.Extension -in '', '.exe' } | Select-Object -First 1
    if (-not $compiler) { throw "No crossgen2 executable in the $compilerPack package." }

    $toolVersion = (Get-Content -Raw (Join-Path $PSScriptRoot 'dotnet-tools.json') | ConvertFrom-Json).tools.powershell.version
    $powerShellPackage = Get-ChildItem -Directory (Join-Path $packages "powershell/$toolVersion/tools") -ErrorAction Ignore |
        ForEach-Object { Join-Path $_.FullName 'any' } | Select-Object -First 1
    if (-not $powerShellPackage) { throw "The PowerShell $toolVersion tool package is not in $packages; run 'dotnet tool restore'." }

    $runtimePacks = @($packs.Keys | Where-Object { $_ -like 'Microsoft.NETCore.App.Runtime.*' })
    if (-not $runtimePacks) { throw "Restoring $packsProject fetched no .NET runtime pack." }
    foreach ($runtimePack in $runtimePacks) {
        $rid = $runtimePack.Substring('Microsoft.NETCore.App.Runtime.'.Length)
        $framework = Get-ChildItem -Directory (Join-Path $packages "$($runtimePack.ToLowerInvariant())/$($packs[$runtimePack])/runtimes/$rid/lib") | Select-Object -First 1
        # PowerShell's own assemblies for that platform, from the package of the local PowerShell tool.
        $powerShell = Join-Path $powerShellPackage $(if ($rid -like 'win-*') { 'win' } else { 'unix' })
        $os = @{ win = 'windows'; linux = 'linux'; osx = 'osx' }[($rid -split '-')[0]]
        $arch = ($rid -split '-')[-1]
        $target = Join-Path $ModuleOut "r2r/$targetFramework/$rid"
        $null = New-Item -ItemType Directory -Force $target
        foreach ($name in $ReadyToRunAssemblies) {
            $references = foreach ($other in $ReadyToRunAssemblies -ne $name) { '-r', (Join-Path $ModuleOut "$other.dll") }
            $output = & $compiler.FullName (Join-Path $ModuleOut "$name.dll") -o (Join-Path $target "$name.dll") -O --targetos $os --targetarch $arch `
                -r (Join-Path $framework.FullName '*.dll') -r (Join-Path $powerShell '*.dll') @references 2>&1
            # A reference folder that matches nothing is only a warning to crossgen2, but leaves code to the JIT.
            if ($LASTEXITCODE -ne 0 -or ($output -match 'warning|error')) { throw "crossgen2 on $name for ${rid}: exit code $LASTEXITCODE. $($output -join "`n")" }
        }
    }
}

function Invoke-Docs {
    $docs = Join-Path $PSScriptRoot 'docs'
    $helpOut = Join-Path $ModuleOut 'en-US'
    $null = New-Item -ItemType Directory -Force $helpOut
    if (Get-Module -ListAvailable -Name platyPS) {
        Import-Module platyPS
        $null = New-ExternalHelp -Path $docs -OutputPath $helpOut -Force
        return
    }
    Import-Module (Join-Path $PSScriptRoot 'tools/MarkdownHelp.psm1') -Force
    Export-MarkdownHelp -DocsFolder $docs -OutputFolder $helpOut -HelpFileName 'Mnesis.PowerShell.dll-Help.xml'
}

function Get-PesterModulePath {
    # Pester is a PackageDownload of the project, so the restore done by the build fetched it.
    $root = (Get-Content -Raw (Join-Path $PSScriptRoot 'obj/project.assets.json') | ConvertFrom-Json).project.restore.packagesPath
    $path = Join-Path $root "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $path)) { throw "Pester $PesterVersion was not restored to $path." }
    $path
}

# The PostgreSQL suite runs against MNESIS_TEST_POSTGRES when it is set; otherwise against a
# throwaway server started here (installing Debian's package where it is missing and this
# process may), which Stop-PostgresForTests removes again, whatever the tests did.
function Start-PostgresForTests {
    if ($env:MNESIS_TEST_POSTGRES) {
        Write-Host 'PostgreSQL: using the server in MNESIS_TEST_POSTGRES.'
        return $null
    }

    if (-not (Install-PostgresServer)) {
        Write-Host 'PostgreSQL: no server binaries (initdb, pg_ctl) and none could be installed: the PostgreSQL tests are skipped. Set MNESIS_TEST_POSTGRES to a connection string to use an existing server.'
        return $null
    }

    $server = Start-TestPostgres
    $env:MNESIS_TEST_POSTGRES = $server.ConnectionString
    Write-Host "PostgreSQL: started a throwaway server on 127.0.0.1:$($server.Port) in $($server.Folder)."
    $server
}

function Stop-PostgresForTests($Server) {
    if ($Server) {
        Stop-TestPostgres $Server
        Remove-Item Env:MNESIS_TEST_POSTGRES -ErrorAction Ignore
    }
}

# The counts a suite run left in its progress file, as CI reads them. A run killed at its deadline
# ($null exit code), or that ended before its summary, is reported with the counts known so far
# and one more failure.
function Read-SuiteCounts([string] $Platform, $Code, [string] $ProgressFile, [string] $Suite, [int] $Minutes) {
    $known = if (Test-Path -LiteralPath $ProgressFile) { Get-Content -Raw -LiteralPath $ProgressFile | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 } }
    Remove-Item -LiteralPath $ProgressFile -ErrorAction Ignore
    $counts = [pscustomobject]@{ Platform = $Platform; Passed = [int]$known.Passed; Failed = [int]$known.Failed; Skipped = [int]$known.Skipped; Code = $Code }
    $done = $known.PSObject.Properties['Done'] -and $known.Done
    if ($null -eq $Code -or -not $done) {
        Write-Host ''
        if ($null -eq $Code) { Write-Host "HUNG: the $Platform test suite ($Suite) ran past $Minutes minutes; killed its process tree." }
        else { Write-Host "ENDED EARLY: the $Platform test suite ($Suite) exited with code $Code before its summary." }
        $counts.Failed++
        $counts.Code = 1
        Write-Host "Pester ($Platform): $($counts.Passed) passed, $($counts.Failed) failed, $($counts.Skipped) skipped"
    }
    $counts
}

# The suite in a child of this pwsh, on this machine's own platform.
function Invoke-NativeSuite {
    $platform = if ($IsWindows) { 'Windows' } elseif ($IsMacOS) { 'macOS' } else { 'Linux' }
    $progress = Join-Path ([IO.Path]::GetTempPath()) "mnesis-test-progress-$([guid]::NewGuid().ToString('N')).json"
    $suite = Join-Path $PSScriptRoot 'tests/Invoke-PesterSuite.ps1'
    $code = Invoke-PwshFileWithDeadline -File $suite -TimeoutSeconds ($TestTimeoutMinutes * 60) -Arguments @(
        '-PesterPath', (Get-PesterModulePath), '-ModulePath', $ModuleOut, '-FileTimeoutSeconds', $TestFileTimeoutSeconds, '-ProgressFile', $progress, '-Platform', $platform)
    Read-SuiteCounts $platform $code $progress $suite $TestTimeoutMinutes
}

# The suite in the Windows build of PowerShell under Wine, against the same module folder (so
# through its win-x64 natives) and the same PostgreSQL server (MNESIS_TEST_POSTGRES is inherited).
function Invoke-WindowsSuite([string] $Md5ConnectionString) {
    $suite = Join-Path $PSScriptRoot 'tests/Invoke-PesterSuite.ps1'
    if (-not (Install-Wine)) {
        Write-Host 'Windows: wine is missing and could not be installed (needs root and apt-get); the Windows suite did not run.'
        Write-Host 'Pester (Windows): 0 passed, 1 failed, 0 skipped'
        return [pscustomobject]@{ Platform = 'Windows'; Passed = 0; Failed = 1; Skipped = 0; Code = 1 }
    }
    $cache = Join-Path $PSScriptRoot 'out/windows'
    $toolVersion = (Get-Content -Raw (Join-Path $PSScriptRoot 'dotnet-tools.json') | ConvertFrom-Json).tools.powershell.version
    $packages = (Get-Content -Raw (Join-Path $PSScriptRoot 'obj/project.assets.json') | ConvertFrom-Json).project.restore.packagesPath
    $toolPackage = Get-ChildItem -Directory (Join-Path $packages "powershell/$toolVersion/tools") -ErrorAction Ignore |
        ForEach-Object { Join-Path $_.FullName 'any' } | Select-Object -First 1
    if (-not $toolPackage) { throw "The PowerShell $toolVersion tool package is not in $packages; run 'dotnet tool restore'." }
    $hostExe = Publish-WindowsHost -Folder (Join-Path $cache 'host') -PowerShellVersion $toolVersion -ToolPackage $toolPackage
    # Windows has no sqlite3 shell; the suite's calls of it take the stand-in this names.
    $env:MNESIS_TEST_SQLITE3 = ConvertTo-WinePath (Join-Path (Publish-Sqlite3Shell (Join-Path $cache 'sqlite3')) 'sqlite3.exe')
    Initialize-WinePrefix (Join-Path $cache 'prefix')

    $progress = Join-Path $cache "progress-$([guid]::NewGuid().ToString('N')).json"
    Write-Host "Windows: running the suite in PowerShell $toolVersion for win-x64 under $(& wine --version)."
    $saved = $env:MNESIS_TEST_POSTGRES
    # Wine 8's bcrypt has no PBKDF2, which SCRAM-SHA-256 logins need: the test server's md5 login.
    # (A server given in MNESIS_TEST_POSTGRES is used as it is: it needs md5 or trust for Wine.)
    if ($Md5ConnectionString) { $env:MNESIS_TEST_POSTGRES = $Md5ConnectionString }
    try {
        $code = Invoke-WineHost -HostExe $hostExe -TimeoutSeconds ($WindowsTestTimeoutMinutes * 60) -ArgumentList @(
            '-NoProfile', '-NonInteractive', '-File', (ConvertTo-WinePath $suite), '-PesterPath', (ConvertTo-WinePath (Get-PesterModulePath)),
            '-ModulePath', (ConvertTo-WinePath $ModuleOut), '-FileTimeoutSeconds', (2 * $TestFileTimeoutSeconds),
            '-ProgressFile', (ConvertTo-WinePath $progress), '-Platform', 'Windows')
    }
    finally {
        $env:MNESIS_TEST_POSTGRES = $saved
        Remove-Item Env:MNESIS_TEST_SQLITE3 -ErrorAction Ignore
    }
    Read-SuiteCounts 'Windows' $code $progress $suite $WindowsTestTimeoutMinutes
}

# The last line of a test run, which CI reads: the totals of every platform's suite.
function Write-SuiteTotals([object[]] $Runs) {
    $passed = ($Runs | Measure-Object Passed -Sum).Sum
    $failed = ($Runs | Measure-Object Failed -Sum).Sum
    $skipped = ($Runs | Measure-Object Skipped -Sum).Sum
    Write-Host ''
    Write-Host "Pester: $passed passed, $failed failed, $skipped skipped"
    [int]($failed -gt 0 -or $passed -eq 0 -or @($Runs | Where-Object Code -NE 0).Count -gt 0)
}

function Invoke-ChildPwsh([string] $File, [string[]] $Arguments) {
    # A child process, so this session never loads (and locks) the module it just built.
    # Out-Host streams the child's lines as they come, so only the exit code is returned.
    $pwsh = Get-PwshCommand
    & $pwsh.FilePath @($pwsh.Prefix) -NoProfile -NonInteractive -File $File @Arguments | Out-Host
    $LASTEXITCODE
}

switch ($Task) {
    'Clean' {
        Remove-Item (Join-Path $PSScriptRoot 'out'), (Join-Path $PSScriptRoot 'bin'), (Join-Path $PSScriptRoot 'obj') -Recurse -Force -ErrorAction SilentlyContinue
    }
    'Build' { Invoke-Build }
    'Docs' { Invoke-Docs }
    'Test' {
        Invoke-Build
        $server = Start-PostgresForTests
        try {
            $runs = @(Invoke-NativeSuite)
            if ($IsLinux) { $runs += Invoke-WindowsSuite $(if ($server) { $server.Md5ConnectionString }) }
        }
        finally { Stop-PostgresForTests $server }
        exit (Write-SuiteTotals $runs)
    }
    'TestWindows' {
        Invoke-Build
        $server = Start-PostgresForTests
        try { $runs = @(Invoke-WindowsSuite $(if ($server) { $server.Md5ConnectionString })) }
        finally { Stop-PostgresForTests $server }
        exit (Write-SuiteTotals $runs)
    }
    'Stress' {
        Invoke-Build
        exit (Invoke-ChildPwsh (Join-Path $PSScriptRoot 'tests/Stress.ps1') @('-ModulePath', $ModuleOut, '-DurationSeconds', $StressSeconds))
    }
    'Bench' {
        Invoke-Build
        $server = Start-PostgresForTests
        try {
            $arguments = @('-ModulePath', $ModuleOut, '-OutFile', (Join-Path $PSScriptRoot 'bench/results/latest.md'))
            if ($env:MNESIS_TEST_POSTGRES) { $arguments += '-PostgresConnectionString', $env:MNESIS_TEST_POSTGRES }
            $code = Invoke-ChildPwsh (Join-Path $PSScriptRoot 'bench/Bench.ps1') $arguments
        }
        finally { Stop-PostgresForTests $server }
        exit $code
    }
    'Package' {
        Invoke-Build
        # A throwaway HOME keeps the temporary repository out of the user's PSResourceGet settings.
        $savedHome = $env:HOME
        $env:HOME = Join-Path ([IO.Path]::GetTempPath()) "mnesis-home-$([guid]::NewGuid().ToString('N'))"
        # Without these, .NET reports no ApplicationData and NuGet writes NuGet/NuGet.Config into the current folder.
        $null = New-Item -ItemType Directory -Force (Join-Path $env:HOME '.config'), (Join-Path $env:HOME '.local/share')
        try { $code = Invoke-ChildPwsh (Join-Path $PSScriptRoot 'tools/Publish-LocalPackage.ps1') @('-ModulePath', $ModuleOut, '-OutputFolder', (Join-Path $PSScriptRoot 'out')) }
        finally {
            Remove-Item -Recurse -Force $env:HOME -ErrorAction SilentlyContinue
            $env:HOME = $savedHome
        }
        exit $code
    }
    'Demo' {
        Invoke-Build
        $code = Invoke-ChildPwsh (Join-Path $PSScriptRoot 'examples/ServiceInventory.ps1') @('-ModulePath', $ModuleOut)
        exit $code
    }
}
