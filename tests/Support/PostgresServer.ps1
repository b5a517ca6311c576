# A throwaway PostgreSQL server for the tests and the bench: initdb into a temporary folder, a
# Unix socket there and a loopback TCP port, stopped and removed by Stop-TestPostgres. As root,
# initdb and pg_ctl run as the postgres user (they refuse root), on a folder that user owns.

# Under Wine (the Windows run) the server's tools are Linux programs. Wine starts them, but hands
# back neither their output nor their exit code: a shell writes both to files, read from here.
$script:UnderWine = $IsWindows -and (Test-Path -LiteralPath 'Z:\bin\sh')
$script:LinuxRoot = $null

# The name this process gives a Linux path (Wine's Z: drive is the Linux root).
function ConvertTo-LocalPath([string] $LinuxPath) {
    if ($UnderWine) { 'Z:' + ($LinuxPath -replace '/', '\') } else { $LinuxPath }
}

# The Linux path of a path of this process.
function ConvertTo-LinuxPath([string] $LocalPath) {
    if ($UnderWine) { ($LocalPath -replace '^[Zz]:', '') -replace '\\', '/' } else { $LocalPath }
}

function New-LinuxTempName([string] $Prefix) {
    $folder = if ($UnderWine) { '/tmp' } else { [IO.Path]::GetTempPath().TrimEnd('/') }
    "$folder/$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
}

# Runs a Linux program; returns its output lines (stdout and stderr) and exit code.
function Invoke-LinuxTool([string] $Exe, [string[]] $Arguments = @(), [int] $TimeoutSeconds = 180) {
    if (-not $UnderWine) {
        $output = & $Exe @Arguments 2>&1
        return [pscustomobject]@{ Output = @($output | ForEach-Object { "$_" }); Code = $LASTEXITCODE }
    }
    $base = New-LinuxTempName 'mnesis-sh'
    $line = (@($Exe) + $Arguments | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
    $null = [Diagnostics.Process]::Start('Z:\bin\sh', [string[]]@('-c', "$line > $base.out 2>&1 < /dev/null; echo `$? > $base.tmp; mv $base.tmp $base.code"))
    $codeFile = ConvertTo-LocalPath "$base.code"
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-Path -LiteralPath $codeFile)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "$Exe did not finish within $TimeoutSeconds s." }
        Start-Sleep -Milliseconds 50
    }
    $result = [pscustomobject]@{
        Output = @(Get-Content -LiteralPath (ConvertTo-LocalPath "$base.out") -ErrorAction Ignore)
        Code   = [int](Get-Content -LiteralPath $codeFile)
    }
    Remove-Item -LiteralPath $codeFile, (ConvertTo-LocalPath "$base.out") -ErrorAction Ignore
    $result
}

function Test-LinuxRoot {
    if ($null -eq $script:LinuxRoot) { $script:LinuxRoot = ($IsLinux -or $UnderWine) -and ((Invoke-LinuxTool 'id' @('-u')).Output -join '') -eq '0' }
    $script:LinuxRoot
}

function Resolve-LinkTarget([string] $Path) {
    $target = (Get-Item -LiteralPath $Path).LinkTarget
    if (-not $target) { return $Path }
    if (-not [IO.Path]::IsPathRooted($target)) { $target = Join-Path (Split-Path $Path) $target }
    Resolve-LinkTarget $target
}

# The folder of initdb and pg_ctl (a Linux path): on PATH, or the newest /usr/lib/postgresql/<version>/bin.
function Find-PostgresBin {
    if ($UnderWine) {
        return Get-ChildItem 'Z:\usr\lib\postgresql\*\bin\initdb' -ErrorAction Ignore |
            Sort-Object { [int]$_.Directory.Parent.Name } -Descending |
            Select-Object -First 1 | ForEach-Object { "/usr/lib/postgresql/$($_.Directory.Parent.Name)/bin" }
    }
    # A link on PATH (Debian's /usr/local/bin/initdb) leads to the folder with the other tools (pg_basebackup).
    $initdb = Get-Command initdb -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($initdb) { return Split-Path ([IO.Path]::GetFullPath((Resolve-LinkTarget $initdb.Source))) }
    Get-ChildItem /usr/lib/postgresql/*/bin/initdb -ErrorAction Ignore |
        Sort-Object { [int]$_.Directory.Parent.Name } -Descending |
        Select-Object -First 1 | ForEach-Object { $_.DirectoryName }
}

# Installs Debian's server package where it is missing and this process may (root, apt-get).
function Install-PostgresServer {
    if (Find-PostgresBin) { return $true }
    if (-not $IsLinux -or (& id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction Ignore)) { return $false }
    Write-Host 'PostgreSQL server binaries are missing; installing the Debian package postgresql.'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y -q --no-install-recommends postgresql *> $null
    if ($LASTEXITCODE -ne 0) {
        & apt-get update -q *> $null
        & apt-get install -y -q --no-install-recommends postgresql *> $null
    }
    [bool](Find-PostgresBin)
}

# Runs a program as the postgres user when this process is root (initdb and pg_ctl refuse root); returns its output.
function Invoke-AsPostgresUser([string] $Exe, [string[]] $Arguments) {
    $result = if (Test-LinuxRoot) { Invoke-LinuxTool 'runuser' (@('-u', 'postgres', '--', $Exe) + $Arguments) } else { Invoke-LinuxTool $Exe $Arguments }
    if ($result.Code -ne 0) { throw "$(Split-Path -Leaf $Exe) failed ($($result.Code)): $($result.Output -join "`n")" }
    $result.Output
}

function Invoke-AsPostgresOwner([string] $Bin, [string] $Tool, [string[]] $Arguments) {
    $null = Invoke-AsPostgresUser "$Bin/$Tool" $Arguments
}

# A folder of this run for a server, owned by the postgres user when this process is root.
function New-TestPostgresFolder {
    $folder = New-LinuxTempName 'mnesis-pg'
    $null = New-Item -ItemType Directory (ConvertTo-LocalPath $folder)
    if (Test-LinuxRoot) { $null = Invoke-LinuxTool 'chown' @('-R', 'postgres', $folder) }
    $folder
}

function Remove-TestPostgresFolder([string] $Folder) {
    if ($Folder) { $null = Invoke-LinuxTool 'rm' @('-rf', $Folder) }
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Get-TestPostgresOptions([string] $Folder, [int] $Port) {
    "-k $Folder -p $Port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
}

# Starts a server; returns its folder (a Linux path), port, superuser password and a TCP connection string.
function Start-TestPostgres {
    $bin = Find-PostgresBin
    if (-not $bin) { throw 'No PostgreSQL server binaries (initdb, pg_ctl) were found.' }
    $password = "pw-$([guid]::NewGuid().ToString('N'))"
    $folder = New-TestPostgresFolder
    $passwordFile = "$folder/pwfile"
    [IO.File]::WriteAllText((ConvertTo-LocalPath $passwordFile), $password)
    $port = Get-FreeTcpPort
    $data = "$folder/data"
    try {
        # Trust on the socket (the folder is private to this run), passwords over TCP.
        Invoke-AsPostgresOwner $bin 'initdb' @('-D', $data, '-U', 'mnesis', '--auth-local=trust', '--auth-host=scram-sha-256', "--pwfile=$passwordFile", '-E', 'UTF8', '--no-sync')
        # md5 over TCP, before initdb's scram-sha-256 lines (the first match wins): a password stored
        # as SCRAM still logs in with SCRAM under it, one stored as md5 (those the Windows run's
        # login of Add-TestPostgresMd5Login makes) with md5.
        $null = Invoke-AsPostgresUser 'sed' @('-i', '1i host all all 127.0.0.1/32 md5', "$data/pg_hba.conf")
        Invoke-AsPostgresOwner $bin 'pg_ctl' @('-D', $data, '-w', '-t', '60', '-l', "$folder/log", '-o', (Get-TestPostgresOptions $folder $port), 'start')
    }
    catch {
        Remove-TestPostgresFolder $folder
        throw
    }
    $server = [pscustomobject]@{
        Folder           = $folder
        Bin              = $bin
        Port             = $port
        Password         = $password
        ConnectionString = "Host=127.0.0.1;Port=$port;Username=mnesis;Password=$password;Database=postgres"
        Md5ConnectionString = $null
        Md5Password      = $null
    }
    try { Add-TestPostgresMd5Login $server }
    catch {
        Stop-TestPostgres $server
        throw
    }
    $server
}

# A second superuser, mnesis_md5, whose password is stored as md5, as are those of the roles it
# makes: Wine 8's bcrypt has no PBKDF2, which SCRAM-SHA-256 needs, so the Windows suite under Wine
# logs in as it. Sets the server's Md5ConnectionString.
function Add-TestPostgresMd5Login($Server) {
    $password = "md5-$([guid]::NewGuid().ToString('N'))"
    # DDL takes no parameters; the password is a generated GUID, safe inside quotes.
    $null = Invoke-TestPostgresSql $Server "SET password_encryption = 'md5'; CREATE ROLE mnesis_md5 SUPERUSER LOGIN PASSWORD '$password'; ALTER ROLE mnesis_md5 SET password_encryption = 'md5';"
    $Server.Md5Password = $password
    $Server.Md5ConnectionString = "Host=127.0.0.1;Port=$($Server.Port);Username=mnesis_md5;Password=$password;Database=postgres"
}

function Stop-TestPostgres($Server) {
    if (-not $Server) { return }
    # A server a test stopped itself is left as it is.
    if (Test-Path -LiteralPath (ConvertTo-LocalPath "$($Server.Folder)/data/postmaster.pid")) {
        try { Invoke-AsPostgresOwner $Server.Bin 'pg_ctl' @('-D', "$($Server.Folder)/data", '-m', 'immediate', '-w', '-t', '30', 'stop') }
        catch { Write-Warning "Stopping the test PostgreSQL server: $_" }
    }
    Remove-TestPostgresFolder $Server.Folder
}

# pg_ctl on a running test server's data folder: Stop (fast or immediate), Start again on the same
# port, Restart, or Promote a standby. Waits until it is done.
function Invoke-TestPostgresControl($Server, [ValidateSet('Stop', 'Start', 'Restart', 'Promote')] [string] $Action,
    [ValidateSet('smart', 'fast', 'immediate')] [string] $Mode = 'fast') {
    $data = "$($Server.Folder)/data"
    $arguments = switch ($Action) {
        'Stop' { @('-D', $data, '-m', $Mode, '-w', '-t', '60', 'stop') }
        'Start' { @('-D', $data, '-w', '-t', '60', '-l', "$($Server.Folder)/log", '-o', (Get-TestPostgresOptions $Server.Folder $Server.Port), 'start') }
        'Restart' { @('-D', $data, '-m', $Mode, '-w', '-t', '60', '-l', "$($Server.Folder)/log", '-o', (Get-TestPostgresOptions $Server.Folder $Server.Port), 'restart') }
        'Promote' { @('-D', $data, '-w', '-t', '60', 'promote') }
    }
    Invoke-AsPostgresOwner $Server.Bin 'pg_ctl' $arguments
}

# Runs SQL as the superuser over the server's Unix socket (psql, outside the module under test); returns its output lines.
function Invoke-TestPostgresSql($Server, [string] $Sql) {
    Invoke-AsPostgresUser "$($Server.Bin)/psql" @('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', $Server.Folder, '-p', $Server.Port, '-U', 'mnesis', '-d', 'postgres', '-c', $Sql)
}

# A streaming-replication standby of $Primary (pg_basebackup -R over the primary's socket, where
# the superuser is trusted), on a port of its own; stop it with Stop-TestPostgres.
function Start-TestPostgresStandby($Primary) {
    $folder = New-TestPostgresFolder
    $port = Get-FreeTcpPort
    $data = "$folder/data"
    try {
        Invoke-AsPostgresOwner $Primary.Bin 'pg_basebackup' @('-D', $data, '-R', '-X', 'stream', '-h', $Primary.Folder, '-p', $Primary.Port, '-U', 'mnesis', '--no-sync')
        Invoke-AsPostgresOwner $Primary.Bin 'pg_ctl' @('-D', $data, '-w', '-t', '60', '-l', "$folder/log", '-o', (Get-TestPostgresOptions $folder $port), 'start')
    }
    catch {
        Remove-TestPostgresFolder $folder
        throw
    }
    [pscustomobject]@{
        Folder           = $folder
        Bin              = $Primary.Bin
        Port             = $port
        Password         = $Primary.Password
        ConnectionString = "Host=127.0.0.1;Port=$port;Username=mnesis;Password=$($Primary.Password);Database=postgres"
        Md5ConnectionString = "Host=127.0.0.1;Port=$port;Username=mnesis_md5;Password=$($Primary.Md5Password);Database=postgres"
        Md5Password      = $Primary.Md5Password
    }
}

# The login this platform's tests use: under Wine only md5 works (its bcrypt lacks the PBKDF2 of SCRAM).
function Get-TestPostgresLogin($Server) {
    if ($UnderWine) { [pscustomobject]@{ User = 'mnesis_md5'; Password = $Server.Md5Password; ConnectionString = $Server.Md5ConnectionString } }
    else { [pscustomobject]@{ User = 'mnesis'; Password = $Server.Password; ConnectionString = $Server.ConnectionString } }
}

# A Linux program left running in the background (its output in $LogFile); returns its process id.
function Start-LinuxBackground([string] $Exe, [string[]] $Arguments, [string] $LogFile) {
    $line = (@($Exe) + $Arguments | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
    $result = Invoke-LinuxTool 'sh' @('-c', "$line > '$LogFile' 2>&1 < /dev/null & echo `$!")
    [int]($result.Output | Select-Object -Last 1)
}

function Stop-LinuxProcess([int] $Id) {
    if ($Id) { $null = Invoke-LinuxTool 'kill' @("$Id") }
}
