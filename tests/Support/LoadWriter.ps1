<#
.SYNOPSIS
    One writer of the mixed load: inserts (who, seq) rows, one transaction each, until it has
    written -Rows rows or -Until has passed; prints how many it wrote. Runs in a runspace, a
    thread job or its own pwsh process.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $DatabasePath,
    [Parameter(Mandatory)][string] $Who,
    [int] $Rows,
    [long] $UntilTicks
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$seq = 0
while (($Rows -gt 0 -and $seq -lt $Rows) -or ($UntilTicks -gt 0 -and [datetime]::UtcNow.Ticks -lt $UntilTicks)) {
    $seq++
    if ($seq % 2) {
        $null = Invoke-MnesisWrite -Path $DatabasePath -Query 'INSERT INTO load(who, seq) VALUES (@who, @seq)' -Parameters @{ who = $Who; seq = $seq }
    }
    else {
        # Every other row as a read-modify-write, the pattern that deferred transactions lose.
        $null = Invoke-MnesisWrite -Path $DatabasePath -ScriptBlock {
            param($Connection)
            $command = $Connection.CreateCommand()
            $command.CommandText = 'SELECT n FROM counter'
            $next = [long]$command.ExecuteScalar() + 1
            $command.CommandText = 'UPDATE counter SET n = @n; INSERT INTO load(who, seq) VALUES (@who, @seq)'
            $null = $command.Parameters.AddWithValue('@n', $next)
            $null = $command.Parameters.AddWithValue('@who', $Who)
            $null = $command.Parameters.AddWithValue('@seq', $seq)
            $null = $command.ExecuteNonQuery()
        }
    }
}
Close-MnesisPool
$seq
