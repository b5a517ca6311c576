<#
.SYNOPSIS
    Example runbook: several parallel runspaces record the services they find on "hosts" into
    one SQLite inventory, then the runbook reads a summary back and releases the file.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./build.ps1 -Task Demo
#>
param([Parameter(Mandatory)][string] $ModulePath)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath

$folder = Join-Path ([IO.Path]::GetTempPath()) "mnesis-inventory-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
$db = Join-Path $folder 'inventory.db'
try {
    $store = Open-MnesisStore -Path $db
    Write-Host "Inventory store: $($store.Path) (WAL: $($store.WalMode))"

    $null = Invoke-MnesisWrite -Path $db -Query @'
CREATE TABLE host(name TEXT PRIMARY KEY, scanned_at TEXT NOT NULL);
CREATE TABLE service(host TEXT NOT NULL REFERENCES host(name), name TEXT NOT NULL, state TEXT NOT NULL,
                     UNIQUE(host, name));
'@

    # Eight hosts scanned by four parallel runspaces; every runspace writes to the same file.
    $hosts = 1..8 | ForEach-Object { 'web{0:00}' -f $_ }
    $hosts | ForEach-Object -ThrottleLimit 4 -Parallel {
        Import-Module $using:ModulePath
        $hostName = $_
        # A host row and its services in one transaction: all of it or none of it.
        $null = Invoke-MnesisWrite -Path $using:db -ScriptBlock {
            $null = Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO host VALUES (@name, @at)' -Parameters @{ name = $hostName; at = [datetime]::UtcNow.ToString('o') }
            $services = 'sshd', 'nginx', 'cron', 'node-exporter' | ForEach-Object {
                [pscustomobject]@{ host = $hostName; name = $_; state = ('running', 'running', 'stopped')[(Get-Random -Maximum 3)] }
            }
            $services | Invoke-MnesisWrite -Path $using:db -Query 'INSERT INTO service(host, name, state) VALUES (@host, @name, @state)'
        }
    }

    Write-Host ''
    Write-Host 'Services by state:'
    Invoke-MnesisQuery -Path $db -Query 'SELECT state, count(*) AS services FROM service GROUP BY state ORDER BY state' | Format-Table -AutoSize | Out-Host

    Write-Host 'Services by host (read through the shared connection):'
    $command = (Get-MnesisConnection -Path $db).CreateCommand()
    $command.CommandText = @'
SELECT host, sum(state = 'running'), sum(state = 'stopped'), ifnull(group_concat(CASE WHEN state = 'stopped' THEN name END, ', '), '-')
FROM service GROUP BY host ORDER BY host
'@
    $reader = $command.ExecuteReader()
    while ($reader.Read()) {
        Write-Host ('  {0}: {1} running, {2} stopped ({3})' -f $reader.GetString(0), $reader.GetInt64(1), $reader.GetInt64(2), $reader.GetString(3))
    }
    $reader.Dispose()
    $command.Dispose()

    Get-MnesisPool | Format-Table -AutoSize | Out-Host
}
finally {
    # Closing releases the file: it can be deleted straight away, also after a failure above.
    Close-MnesisPool
    Remove-Item -Recurse -Force $folder -ErrorAction SilentlyContinue
}
if (Test-Path -LiteralPath $folder) { throw "Could not remove ${folder}: the database is still in use." }
Write-Host "Closed the pool and removed $folder."
exit 0
