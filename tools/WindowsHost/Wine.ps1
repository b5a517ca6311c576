# The Windows test run of build.ps1: Debian's Wine, a private Wine prefix, and the Windows
# PowerShell host of this folder (WindowsHost.csproj), published self-contained for win-x64.
# The prefix and the host are kept under out/windows/ (ignored by git) and made again only when
# missing or when what they were made from changed; `build.ps1 -Task Clean` removes them.

# Quiet and stable under Wine 8: no debug channels, no W^X double mapping (which Wine's loader
# does not take well), and no crash dialog waiting for a click that never comes.
$WineEnvironment = [ordered]@{
    WINEDEBUG                     = '-all'
    DOTNET_EnableWriteXorExecute  = '0'
    # ... and no menu entries or file associations written to the Linux user's desktop folders.
    WINEDLLOVERRIDES              = 'winedbg.exe=d;winemenubuilder.exe=d'
}

# Installs Debian's wine packages where wine is missing and this process may (root, apt-get),
# the way PostgresServer.ps1 installs the server. True when wine is there afterwards.
function Install-Wine {
    if (Get-Command wine -CommandType Application -ErrorAction Ignore) { return $true }
    if (-not $IsLinux -or (& id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction Ignore)) { return $false }
    Write-Host 'Wine is missing; installing the Debian packages wine64 and wine.'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -q *> $null
    & apt-get install -y -q wine64 wine *> $null
    [bool](Get-Command wine -CommandType Application -ErrorAction Ignore)
}

# Sets the Wine variables in this process, so that every wine started from here inherits them.
function Set-WineEnvironment([string] $Prefix) {
    $env:WINEPREFIX = $Prefix
    foreach ($name in $WineEnvironment.Keys) { Set-Item "Env:$name" $WineEnvironment[$name] }
}

# A private prefix, made once: wineboot creates it, winecfg makes it report Windows 10.
function Initialize-WinePrefix([string] $Prefix) {
    $ready = Join-Path $Prefix '.mnesis-ready'
    Set-WineEnvironment $Prefix
    if (Test-Path -LiteralPath $ready) { Disconnect-WineUserFolders $Prefix; return }
    Remove-Item -LiteralPath $Prefix -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force $Prefix
    Write-Host "Wine: making the prefix $Prefix."
    & wine wineboot --init *> $null
    & wine winecfg /v win10 *> $null
    if ($LASTEXITCODE -ne 0) { throw "winecfg /v win10 failed with exit code $LASTEXITCODE in $Prefix." }
    # wineboot returns before the prefix is written out; the server finishes it on exit.
    & wineserver -w *> $null
    Disconnect-WineUserFolders $Prefix
    Set-Content -LiteralPath $ready -Value (Get-Date -Format o)
}

# Wine links the Windows user's Documents, Desktop, ... to the Linux home folder; what a test
# writes there (PowerShell's CurrentUser modules are in Documents) would land in the Linux user's
# home. Each link becomes an empty folder of the prefix.
function Disconnect-WineUserFolders([string] $Prefix) {
    foreach ($link in Get-ChildItem -LiteralPath (Join-Path $Prefix 'drive_c/users') -Directory -ErrorAction Ignore | Get-ChildItem -Force | Where-Object LinkType) {
        $link.Delete()
        $null = New-Item -ItemType Directory -Path $link.FullName
    }
}

# Publishes a project of tools/ self-contained for win-x64 into $Folder, unless the folder holds
# a publish of the same sources and $Stamp already; returns whether it published.
function Publish-WindowsTool([string] $Project, [string] $Folder, [string] $Stamp) {
    $sources = @(Get-ChildItem -LiteralPath (Split-Path $Project) -File | Where-Object Extension -In '.cs', '.csproj' | Sort-Object Name)
    $Stamp += '; ' + (($sources | ForEach-Object { "$($_.Name) $((Get-FileHash -LiteralPath $_.FullName).Hash)" }) -join '; ')
    $stampFile = Join-Path $Folder '.mnesis-stamp'
    if ((Test-Path -LiteralPath $stampFile) -and (Get-Content -Raw -LiteralPath $stampFile).Trim() -eq $Stamp) { return $false }

    Remove-Item -LiteralPath $Folder -Recurse -Force -ErrorAction Ignore
    Write-Host "Windows: publishing $(Split-Path -Leaf $Project) for win-x64 to $Folder."
    $output = & dotnet publish $Project -c Release -o $Folder --nologo --verbosity quiet @args 2>&1
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish $Project failed with exit code $LASTEXITCODE. $($output -join "`n")" }
    Set-Content -LiteralPath $stampFile -Value $Stamp
    $true
}

# The host, with the Modules folder of the PowerShell tool package's Windows build beside it
# (PowerShell's own modules: ThreadJob, Utility, ...; Pester is passed by path); returns its exe.
function Publish-WindowsHost([string] $Folder, [string] $PowerShellVersion, [string] $ToolPackage) {
    $project = Join-Path $PSScriptRoot 'WindowsHost.csproj'
    if (Publish-WindowsTool $project $Folder "PowerShell $PowerShellVersion" "-p:PowerShellVersion=$PowerShellVersion") {
        $modules = Join-Path $ToolPackage 'win/Modules'
        if (-not (Test-Path -LiteralPath $modules)) { throw "No Windows Modules folder in the PowerShell tool package ($modules)." }
        Copy-Item -LiteralPath $modules -Destination $Folder -Recurse
    }
    Join-Path $Folder 'mnesis-pwsh.exe'
}

# The sqlite3 stand-in (tools/Sqlite3Shell); returns its folder, for the Windows PATH.
function Publish-Sqlite3Shell([string] $Folder) {
    $null = Publish-WindowsTool (Join-Path $PSScriptRoot '../Sqlite3Shell/Sqlite3Shell.csproj') $Folder 'sqlite3'
    $Folder
}

# The name Wine gives a Linux path: its Z: drive is the Linux root.
function ConvertTo-WinePath([string] $Path) {
    'Z:' + ([IO.Path]::GetFullPath($Path) -replace '/', '\')
}

# Runs the host under Wine with the given arguments in a terminal of its own (PowerShell's console
# host needs a console, which Wine makes only on a terminal), relaying its lines without the
# terminal's control sequences and without Wine's notices about the Linux root as drive Z:.
# Returns its exit code, or $null when it ran past -TimeoutSeconds and every process of the
# prefix was killed.
function Invoke-WineHost {
    param(
        [Parameter(Mandatory)][string] $HostExe,
        [Parameter(Mandatory)][string[]] $ArgumentList,
        [Parameter(Mandatory)][double] $TimeoutSeconds
    )
    $quote = { param($text) "'" + ($text -replace "'", "'\''") + "'" }
    # A wide terminal that leaves line ends alone: no wrapping at 80 columns, no doubled \r.
    $command = 'stty cols 400 -onlcr; ' + ((@('wine', $HostExe) + $ArgumentList | ForEach-Object { & $quote $_ }) -join ' ')
    $info = [Diagnostics.ProcessStartInfo]::new('script')
    foreach ($argument in '-qec', $command, '/dev/null') { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardInput = $true
    $process = [Diagnostics.Process]::Start($info)
    $process.StandardInput.Close()
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    $pending = $null
    try {
        while ($true) {
            if (-not $pending) { $pending = $process.StandardOutput.ReadLineAsync() }
            $waitMs = [int][Math]::Min(1000, [Math]::Max(0, ($deadline - [datetime]::UtcNow).TotalMilliseconds))
            if ($pending.Wait($waitMs)) {
                $line = $pending.Result
                $pending = $null
                if ($null -eq $line) { break }
                $plain = $line -replace '\x1b\][^\x07]*\x07', '' -replace '\x1b\[[0-9;?]*[A-Za-z]', '' -replace '\r', ''
                if ($plain -notmatch '^wine: Read access denied for device') { [Console]::Out.WriteLine($plain) }
                continue
            }
            if ($process.HasExited) { break }
            if ([datetime]::UtcNow -ge $deadline) {
                & wineserver -k
                Stop-ProcessTree -Process $process
                return $null
            }
        }
        $process.WaitForExit()
        $process.ExitCode
    }
    finally { $process.Dispose() }
}
