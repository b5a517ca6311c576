# A throwaway PostgreSQL server for the tests and the bench: initdb into a temporary folder, a
# Unix socket there and a loopback TCP port, stopped and removed by Stop-TestPostgres. As root,
# initdb and pg_ctl run as the postgres user (they refuse root), on a folder that user owns.

function Resolve-LinkTarget([string] $Path) {
    $target = (Get-Item -LiteralPath $Path).LinkTarget
    if (-not $target) { return $Path }
    if (-not [IO.Path]::IsPathRooted($target)) { $target = Join-Path (Split-Path $Path) $target }
    Resolve-LinkTarget $target
}

# The folder of initdb and pg_ctl: on PATH, or the newest /usr/lib/postgresql/<version>/bin.
function Find-PostgresBin {
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

function Invoke-AsPostgresOwner([string] $Bin, [string] $Tool, [string[]] $Arguments) {
    $exe = Join-Path $Bin $Tool
    if ($IsLinux -and (& id -u) -eq '0') { $output = & runuser -u postgres -- $exe @Arguments 2>&1 }
    else { $output = & $exe @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$Tool failed ($LASTEXITCODE): $($output -join "`n")" }
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Get-TestPostgresOptions([string] $Folder, [int] $Port) {
    "-k $Folder -p $Port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
}

# Starts a server; returns its folder, port, superuser password and a TCP connection string.
function Start-TestPostgres {
    $bin = Find-PostgresBin
    if (-not $bin) { throw 'No PostgreSQL server binaries (initdb, pg_ctl) were found.' }
    $folder = Join-Path ([IO.Path]::GetTempPath()) "mnesis-pg-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    $null = New-Item -ItemType Directory $folder
    $password = "pw-$([guid]::NewGuid().ToString('N'))"
    $passwordFile = Join-Path $folder 'pwfile'
    Set-Content -LiteralPath $passwordFile -Value $password -NoNewline
    if ($IsLinux -and (& id -u) -eq '0') { & chown -R postgres $folder }
    $port = Get-FreeTcpPort
    $data = Join-Path $folder 'data'
    try {
        # Trust on the socket (the folder is private to this run), passwords over TCP.
        Invoke-AsPostgresOwner $bin 'initdb' @('-D', $data, '-U', 'mnesis', '--auth-local=trust', '--auth-host=scram-sha-256', "--pwfile=$passwordFile", '-E', 'UTF8', '--no-sync')
        # md5 over TCP, before initdb's scram-sha-256 lines (the first match wins): a password stored
        # as SCRAM still logs in with SCRAM under it, one stored as md5 (those the Windows run's
        # login of Add-TestPostgresMd5Login makes) with md5.
        $hba = Join-Path $data 'pg_hba.conf'
        Set-Content -LiteralPath $hba -Value (@('host all all 127.0.0.1/32 md5') + @(Get-Content -LiteralPath $hba))
        Invoke-AsPostgresOwner $bin 'pg_ctl' @('-D', $data, '-w', '-t', '60', '-l', (Join-Path $folder 'log'),
            '-o', (Get-TestPostgresOptions $folder $port), 'start')
    }
    catch {
        Remove-Item -Recurse -Force $folder -ErrorAction Ignore
        throw
    }
    $server = [pscustomobject]@{
        Folder           = $folder
        Bin              = $bin
        Port             = $port
        Password         = $password
        ConnectionString = "Host=127.0.0.1;Port=$port;Username=mnesis;Password=$password;Database=postgres"
        Md5ConnectionString = $null
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
    $sql = "SET password_encryption = 'md5'; CREATE ROLE mnesis_md5 SUPERUSER LOGIN PASSWORD '$password'; ALTER ROLE mnesis_md5 SET password_encryption = 'md5';"
    $psql = Get-Command psql -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $psql) { throw 'psql is missing (Debian package postgresql-client).' }
    if ($IsLinux -and (& id -u) -eq '0') { $output = & runuser -u postgres -- $psql.Source -X -q -v ON_ERROR_STOP=1 -h $Server.Folder -p $Server.Port -U mnesis -d postgres -c $sql 2>&1 }
    else { $output = & $psql.Source -X -q -v ON_ERROR_STOP=1 -h $Server.Folder -p $Server.Port -U mnesis -d postgres -c $sql 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE): $($output -join "`n")" }
    $Server.Md5ConnectionString = "Host=127.0.0.1;Port=$($Server.Port);Username=mnesis_md5;Password=$password;Database=postgres"
}

function Stop-TestPostgres($Server) {
    if (-not $Server) { return }
    try { Invoke-AsPostgresOwner $Server.Bin 'pg_ctl' @('-D', (Join-Path $Server.Folder 'data'), '-m', 'immediate', '-w', '-t', '30', 'stop') }
    catch { Write-Warning "Stopping the test PostgreSQL server: $_" }
    Remove-Item -Recurse -Force $Server.Folder -ErrorAction Ignore
}

# pg_ctl on a running test server's data folder: Stop (fast or immediate), Start again on the same
# port, Restart, or Promote a standby. Waits until it is done.
function Invoke-TestPostgresControl($Server, [ValidateSet('Stop', 'Start', 'Restart', 'Promote')] [string] $Action,
    [ValidateSet('smart', 'fast', 'immediate')] [string] $Mode = 'fast') {
    $data = Join-Path $Server.Folder 'data'
    $arguments = switch ($Action) {
        'Stop' { @('-D', $data, '-m', $Mode, '-w', '-t', '60', 'stop') }
        'Start' { @('-D', $data, '-w', '-t', '60', '-l', (Join-Path $Server.Folder 'log'), '-o', (Get-TestPostgresOptions $Server.Folder $Server.Port), 'start') }
        'Restart' { @('-D', $data, '-m', $Mode, '-w', '-t', '60', '-l', (Join-Path $Server.Folder 'log'), '-o', (Get-TestPostgresOptions $Server.Folder $Server.Port), 'restart') }
        'Promote' { @('-D', $data, '-w', '-t', '60', 'promote') }
    }
    Invoke-AsPostgresOwner $Server.Bin 'pg_ctl' $arguments
}

# Runs SQL as the superuser over the server's Unix socket (psql, outside the module under test).
function Invoke-TestPostgresSql($Server, [string] $Sql) {
    $psql = Join-Path $Server.Bin 'psql'
    if (-not (Test-Path $psql)) { $psql = (Get-Command psql -CommandType Application | Select-Object -First 1).Source }
    $arguments = @('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', $Server.Folder, '-p', $Server.Port, '-U', 'mnesis', '-d', 'postgres', '-c', $Sql)
    if ($IsLinux -and (& id -u) -eq '0') { $output = & runuser -u postgres -- $psql @arguments 2>&1 }
    else { $output = & $psql @arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE): $($output -join "`n")" }
    $output
}

# A streaming-replication standby of $Primary (pg_basebackup -R over the primary's socket, where
# the superuser is trusted), on a port of its own; stop it with Stop-TestPostgres.
function Start-TestPostgresStandby($Primary) {
    $folder = Join-Path ([IO.Path]::GetTempPath()) "mnesis-pg-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    $null = New-Item -ItemType Directory $folder
    if ($IsLinux -and (& id -u) -eq '0') { & chown -R postgres $folder }
    $port = Get-FreeTcpPort
    $data = Join-Path $folder 'data'
    try {
        Invoke-AsPostgresOwner $Primary.Bin 'pg_basebackup' @('-D', $data, '-R', '-X', 'stream', '-h', $Primary.Folder, '-p', $Primary.Port, '-U', 'mnesis', '--no-sync')
        Invoke-AsPostgresOwner $Primary.Bin 'pg_ctl' @('-D', $data, '-w', '-t', '60', '-l', (Join-Path $folder 'log'), '-o', (Get-TestPostgresOptions $folder $port), 'start')
    }
    catch {
        Remove-Item -Recurse -Force $folder -ErrorAction Ignore
        throw
    }
    [pscustomobject]@{
        Folder           = $folder
        Bin              = $Primary.Bin
        Port             = $port
        Password         = $Primary.Password
        ConnectionString = "Host=127.0.0.1;Port=$port;Username=mnesis;Password=$($Primary.Password);Database=postgres"
        Md5ConnectionString = $null
    }
}
