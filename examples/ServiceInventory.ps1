<#
.SYNOPSIS
    Example runbook: several parallel runspaces record the services they find on "hosts" into
    one SQLite inventory, then the runbook reads a summary back and releases the file.
.DESCRIPTION
    The database is named once, in $database; every call after that names the store it opened
    ($store, or in each runspace its own), never the path. Moving the runbook to PostgreSQL is
    that one line: -ConnectionString instead of -Path.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./build.ps1 -Task Demo
.EXAMPLE
    ./examples/ServiceInventory.ps1 -ModulePath ./out/Mnesis -ConnectionString 'Host=db01;Database=ops;Username=runbook'
#>
param([Parameter(Mandatory)][string] $ModulePath, [string] $ConnectionString)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath

$folder = Join-Path ([IO.Path]::GetTempPath()) "mnesis-inventory-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
# The one line that names the database; on PostgreSQL: $database = @{ ConnectionString = 'Host=db01;Database=ops;Username=runbook' }
$database = if ($ConnectionString) { @{ ConnectionString = $ConnectionString } } else { @{ Path = Join-Path $folder 'inventory.db'; Force = $true } }
try {
    $store = Open-MnesisStore @database
    Write-Host "Inventory store: $($store.Target) ($($store.Engine))"

    $null = Invoke-MnesisWrite -Store $store -Query @'
CREATE TABLE host(name TEXT PRIMARY KEY, scanned_at TEXT NOT NULL);
CREATE TABLE service(host TEXT NOT NULL REFERENCES host(name), name TEXT NOT NULL, state TEXT NOT NULL,
                     UNIQUE(host, name));
'@

    # Eight hosts scanned by four parallel runspaces; every runspace writes to the same file.
    $hosts = 1..8 | ForEach-Object { 'web{0:00}' -f $_ }
    $hosts | ForEach-Object -ThrottleLimit 4 -Parallel {
        Import-Module $using:ModulePath
        $hostName = $_
        # Each runspace opens the same database in its own pool (a store belongs to one runspace).
        $database = $using:database
        $store = Open-MnesisStore @database
        # A host row and its services in one transaction: all of it or none of it.
        $null = Invoke-MnesisWrite -Store $store -ScriptBlock {
            $null = Invoke-MnesisWrite -Store $store -Query 'INSERT INTO host VALUES (@name, @at)' -Parameters @{ name = $hostName; at = [datetime]::UtcNow.ToString('o') }
            $services = 'sshd', 'nginx', 'cron', 'node-exporter' | ForEach-Object {
                [pscustomobject]@{ host = $hostName; name = $_; state = ('running', 'running', 'stopped')[(Get-Random -Maximum 3)] }
            }
            $services | Invoke-MnesisWrite -Store $store -Table service
        }
    }

    Write-Host ''
    Write-Host 'Services by state:'
    Invoke-MnesisQuery -Store $store -Query 'SELECT state, count(*) AS services FROM service GROUP BY state ORDER BY state' | Format-Table -AutoSize | Out-Host

    Write-Host 'Services by host (read through the shared connection):'
    # SQL both engines understand: the runbook does not care which one it has.
    $command = (Get-MnesisConnection -Store $store).CreateCommand()
    $command.CommandText = @'
SELECT host, count(CASE WHEN state = 'running' THEN 1 END), count(CASE WHEN state = 'stopped' THEN 1 END)
FROM service GROUP BY host ORDER BY host
'@
    $reader = $command.ExecuteReader()
    while ($reader.Read()) {
        Write-Host ('  {0}: {1} running, {2} stopped' -f $reader.GetString(0), $reader.GetInt64(1), $reader.GetInt64(2))
    }
    $reader.Dispose()
    $command.Dispose()

    Get-MnesisPool | Format-Table -AutoSize | Out-Host
    if ($ConnectionString) { $null = Invoke-MnesisWrite -Store $store -Query 'DROP TABLE service; DROP TABLE host' }
}
finally {
    # Closing releases the file: it can be deleted straight away, also after a failure above.
    Close-MnesisPool
    Remove-Item -Recurse -Force $folder -ErrorAction SilentlyContinue
}
if (Test-Path -LiteralPath $folder) { throw "Could not remove ${folder}: the database is still in use." }
Write-Host "Closed the pool and removed $folder."
exit 0
