<#
.SYNOPSIS
    Compares Mnesis with hand-written ADO.NET in one pwsh process and writes
    bench/results/latest.md. Speed is reported as ratios to a reference measured in the same
    run, never as absolute targets.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [int] $Rows = 100000,
    [int] $Calls = 10000,
    [int] $Repeat = 5,
    [string] $OutFile
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath
. (Join-Path $PSScriptRoot '../tests/Support/Pwsh.ps1')
Add-Type -Path (Join-Path $PSScriptRoot 'Reference.cs') -ReferencedAssemblies System.Data.Common, System.Runtime, System.ComponentModel.Primitives

$folder = Join-Path ([IO.Path]::GetTempPath()) "mnesis-bench-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory $folder
$schema = 'CREATE TABLE t(i INTEGER, s TEXT, r REAL, b BLOB)'
$insert = 'INSERT INTO t(i, s, r, b) VALUES (@i, @s, @r, @b)'
$blob = [byte[]](1..16)
$data = [Collections.Generic.List[object]]::new($Rows)
for ($n = 0; $n -lt $Rows; $n++) { $data.Add([pscustomobject]@{ i = [long]$n; s = "name $n"; r = $n * 0.5; b = $blob }) }
$rowsArray = $data.ToArray()
$ids = [long[]]$rowsArray.i; $names = [string[]]$rowsArray.s; $scores = [double[]]$rowsArray.r; $blobs = [byte[][]]@($rowsArray | ForEach-Object b)

# A fresh database per measurement, opened the Mnesis way (WAL, synchronous=NORMAL) for every case.
function New-BenchStore {
    $pool = New-MnesisPool
    $store = Open-MnesisStore -Pool $pool -Path (Join-Path $folder "$([guid]::NewGuid().ToString('N')).db")
    $null = Invoke-MnesisWrite -Store $store -Query $schema
    $store
}

# Runs $Body $Repeat times on fresh stores; returns the median seconds.
function Measure-Case([scriptblock] $Body) {
    $times = foreach ($k in 1..$Repeat) {
        $store = New-BenchStore
        [GC]::Collect()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $reported = & $Body $store
        $elapsed = if ($reported -is [double]) { $reported } else { $clock.Elapsed.TotalSeconds }
        Close-MnesisPool -Pool $store.Pool
        $elapsed
    }
    ($times | Sort-Object)[[math]::Floor($Repeat / 2)]
}

function New-Parameters($command) {
    foreach ($p in @{ n = '@i'; t = 'Int64' }, @{ n = '@s'; t = 'String' }, @{ n = '@r'; t = 'Double' }, @{ n = '@b'; t = 'Binary' }) {
        $parameter = $command.CreateParameter(); $parameter.ParameterName = $p.n; $parameter.DbType = $p.t
        $null = $command.Parameters.Add($parameter)
    }
}

$results = [ordered]@{}
$results.A = Measure-Case { param($store) [Mnesis.Bench.Reference]::InsertSeconds((Get-MnesisConnection -Store $store), $ids, $names, $scores, $blobs) }
$results.B = Measure-Case {
    param($store)
    $connection = Get-MnesisConnection -Store $store
    $transaction = $connection.BeginTransaction()
    $command = $connection.CreateCommand(); $command.Transaction = $transaction; $command.CommandText = $insert
    New-Parameters $command
    $pi = $command.Parameters['@i']; $ps = $command.Parameters['@s']; $pr = $command.Parameters['@r']; $pb = $command.Parameters['@b']
    foreach ($row in $rowsArray) { $pi.Value = $row.i; $ps.Value = $row.s; $pr.Value = $row.r; $pb.Value = $row.b; $null = $command.ExecuteNonQuery() }
    $transaction.Commit(); $command.Dispose()
}
$results.C = Measure-Case { param($store) $null = $rowsArray | Invoke-MnesisWrite -Store $store -Query $insert }
$results.D = Measure-Case { param($store) $null = Invoke-MnesisWrite -Store $store -Query $insert -InputObject $rowsArray }
$single = $rowsArray[0..($Calls - 1)]
$results.E = Measure-Case { param($store) foreach ($row in $single) { $null = Invoke-MnesisWrite -Store $store -Query $insert -Parameters @{ i = $row.i; s = $row.s; r = $row.r; b = $row.b } } }
$results.F = Measure-Case {
    param($store)
    $connection = Get-MnesisConnection -Store $store
    $command = $connection.CreateCommand(); $command.CommandText = $insert
    New-Parameters $command
    foreach ($row in $single) {
        $command.Parameters['@i'].Value = $row.i; $command.Parameters['@s'].Value = $row.s; $command.Parameters['@r'].Value = $row.r; $command.Parameters['@b'].Value = $row.b
        $null = $command.ExecuteNonQuery()
    }
    $command.Dispose()
}
$readStore = New-BenchStore
$null = Invoke-MnesisWrite -Store $readStore -Query $insert -InputObject $rowsArray
$results.G = Measure-Case { param($store) $null = Invoke-MnesisQuery -Store $readStore -Query 'SELECT i, s, r, b FROM t' }
$results.GRef = Measure-Case {
    param($store)
    $command = (Get-MnesisConnection -Store $readStore).CreateCommand(); $command.CommandText = 'SELECT i, s, r, b FROM t'
    $reader = $command.ExecuteReader()
    $null = while ($reader.Read()) { [pscustomobject]@{ i = $reader.GetValue(0); s = $reader.GetValue(1); r = $reader.GetValue(2); b = $reader.GetValue(3) } }
    $reader.Dispose(); $command.Dispose()
}
Close-MnesisPool -Pool $readStore.Pool
$perWorker = [int]($Calls / 8)
# Runspaces start and import first; the clock covers only the writes, from a shared start instant.
$results.H = Measure-Case {
    param($store)
    $path = $store.Path; $mod = $ModulePath; $q = $insert
    $startAt = [datetime]::UtcNow.AddSeconds(3).Ticks
    $ends = 1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
        Import-Module $using:mod
        $null = Open-MnesisStore -Path $using:path
        while ([datetime]::UtcNow.Ticks -lt $using:startAt) { Start-Sleep -Milliseconds 1 }
        for ($n = 0; $n -lt $using:perWorker; $n++) { $null = Invoke-MnesisWrite -Path $using:path -Query $using:q -Parameters @{ i = $n; s = 'x'; r = 0.5; b = $null } }
        [datetime]::UtcNow.Ticks
    }
    [double](([long]($ends | Measure-Object -Maximum).Maximum - $startAt) / 1e7)
}
$pwsh = Get-PwshCommand
$child = Join-Path $folder 'child.db'
$results.I = Measure-Case { param($store) & $pwsh.FilePath @($pwsh.Prefix) -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; `$null = Invoke-MnesisWrite -Path '$child' -Query 'CREATE TABLE IF NOT EXISTS t(v); INSERT INTO t VALUES (1)'" }
$results.IRef = Measure-Case { param($store) & $pwsh.FilePath @($pwsh.Prefix) -NoProfile -NonInteractive -Command 'exit' }
Remove-Item -Recurse -Force $folder

function Rate($count, $seconds) { '{0:N0}' -f ($count / $seconds) }
$cases = @(
    @{ Id = 'A'; What = 'C# prepared INSERT, one transaction'; Count = $Rows; Unit = 'rows/s'; Ratio = 1.0; Ref = 'A'; Target = '' }
    @{ Id = 'B'; What = 'PowerShell ADO.NET loop over PSCustomObjects, one transaction'; Count = $Rows; Unit = 'rows/s'; Ratio = $results.A / $results.B; Ref = 'A'; Target = '' }
    @{ Id = 'C'; What = '$rows \| Invoke-MnesisWrite -Query'; Count = $Rows; Unit = 'rows/s'; Ratio = $results.B / $results.C; Ref = 'B'; Target = '>= 1.0' }
    @{ Id = 'D'; What = 'Invoke-MnesisWrite -Query -InputObject $rows'; Count = $Rows; Unit = 'rows/s'; Ratio = $results.A / $results.D; Ref = 'A'; Target = '>= 0.6' }
    @{ Id = 'E'; What = "$Calls single-row Invoke-MnesisWrite -Parameters calls"; Count = $Calls; Unit = 'tx/s'; Ratio = $results.F / $results.E; Ref = 'F'; Target = '>= 0.5' }
    @{ Id = 'F'; What = "$Calls hand-written ExecuteNonQuery calls, autocommit"; Count = $Calls; Unit = 'tx/s'; Ratio = 1.0; Ref = 'F'; Target = '' }
    @{ Id = 'G'; What = "Invoke-MnesisQuery of $Rows rows"; Count = $Rows; Unit = 'rows/s'; Ratio = $results.GRef / $results.G; Ref = 'reader loop'; Target = '>= 1.0' }
    @{ Id = 'H'; What = '8 runspaces doing case E at once (total; runspace start-up and import not timed)'; Count = $perWorker * 8; Unit = 'tx/s'; Ratio = $results.E / $Calls / ($results.H / ($perWorker * 8)); Ref = 'E'; Target = '>= 0.8' }
    @{ Id = 'I'; What = 'fresh pwsh: import Mnesis, write one row (seconds; ratio = time / reference time)'; Count = 0; Unit = 's'; Ratio = $results.I / $results.IRef; Ref = 'pwsh -c exit'; Target = '<= 1.5' }
)
$secondsOf = @{ A = $results.A; B = $results.B; C = $results.C; D = $results.D; E = $results.E; F = $results.F; G = $results.G; H = $results.H; I = $results.I }
$lines = @(
    '# Mnesis benchmark'
    ''
    "Date: $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(Get-Date -Format 'zzz'); machine: $([Environment]::ProcessorCount) cores, $([Runtime.InteropServices.RuntimeInformation]::OSDescription); pwsh $($PSVersionTable.PSVersion); $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)."
    "Each case ran $Repeat times on a fresh database (WAL, synchronous=NORMAL); medians. Ratio = speed of the case / speed of its reference, measured in the same run (for I: time / reference time)."
    ''
    '| case | what | median | rate | reference | ratio | target |'
    '|---|---|---|---|---|---|---|'
)
foreach ($c in $cases) {
    $rate = if ($c.Count) { "$(Rate $c.Count $secondsOf[$c.Id]) $($c.Unit)" } else { '' }
    $lines += "| $($c.Id) | $($c.What) | $('{0:N3} s' -f $secondsOf[$c.Id]) | $rate | $($c.Ref) | $('{0:N2}' -f $c.Ratio) | $($c.Target) |"
}
$lines += ''
$lines += "References: G's reader loop $('{0:N3} s' -f $results.GRef) ($(Rate $Rows $results.GRef) rows/s); I's pwsh -c exit $('{0:N3} s' -f $results.IRef)."
$lines | Write-Host
if ($OutFile) { Set-Content -LiteralPath $OutFile -Value $lines }
