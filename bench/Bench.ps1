<#
.SYNOPSIS
    Compares Mnesis with hand-written ADO.NET in one pwsh process and writes
    bench/results/latest.md. Speed is reported as ratios to a reference measured in the same
    run, never as absolute targets.
.PARAMETER PostgresConnectionString
    A PostgreSQL database for the P cases; without it they are left out.
.PARAMETER TableRows
    Rows of case PT (Invoke-MnesisWrite -Table, binary COPY, against the pipeline -Query insert of
    the same rows). Run only that comparison at full size with small sizes for the rest:
    -Rows 2000 -Calls 200 -PostgresRows 2000 -PostgresCalls 200.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [int] $Rows = 100000,
    [int] $Calls = 10000,
    [int] $PostgresRows = 20000,
    [int] $PostgresCalls = 2000,
    [int] $TableRows = 100000,
    [int] $Repeat = 5,
    [string] $PostgresConnectionString,
    [string] $OutFile
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath
. (Join-Path $PSScriptRoot '../tests/Support/Pwsh.ps1')
Add-Type -Path (Join-Path $PSScriptRoot 'Reference.cs') -ReferencedAssemblies System.Data.Common, System.Runtime, System.ComponentModel.Primitives
Import-Module -Assembly (Add-Type -Path (Join-Path $PSScriptRoot 'Floor.cs') -PassThru)[0].Assembly

$folder = Join-Path ([IO.Path]::GetTempPath()) "mnesis-bench-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory $folder
$schema = 'CREATE TABLE t(i INTEGER, s TEXT, r REAL, b BLOB)'
$insert = 'INSERT INTO t(i, s, r, b) VALUES (@i, @s, @r, @b)'
$blob = [byte[]](1..16)
$data = [Collections.Generic.List[object]]::new($Rows)
for ($n = 0; $n -lt $Rows; $n++) { $data.Add([pscustomobject]@{ i = [long]$n; s = "name $n"; r = $n * 0.5; b = $blob }) }
$rowsArray = $data.ToArray()
$single = $rowsArray[0..($Calls - 1)]

# Which kind of store the next New-BenchStore makes: a fresh SQLite file, or a fresh table on PostgreSQL.
$script:Engine = 'SQLite'
function New-BenchStore {
    $pool = New-MnesisPool
    if ($script:Engine -eq 'SQLite') {
        $store = Open-MnesisStore -Pool $pool -Path (Join-Path $folder "$([guid]::NewGuid().ToString('N')).db")
        $null = Invoke-MnesisWrite -Store $store -Query $schema
    }
    else {
        $store = Open-MnesisStore -Pool $pool -ConnectionString $PostgresConnectionString
        $null = Invoke-MnesisWrite -Store $store -Query 'DROP TABLE IF EXISTS t; CREATE TABLE t(i bigint, s text, r double precision, b bytea)'
    }
    $store
}

# Runs $Body $Repeat times on fresh stores; returns the median seconds. With -InDefaultPool the
# store's file is also opened, untimed, in this runspace's default pool, as a script that names
# it by path alone finds it.
function Measure-Case([scriptblock] $Body, [switch] $InDefaultPool) {
    $times = foreach ($k in 1..$Repeat) {
        $store = New-BenchStore
        if ($InDefaultPool) { $null = Open-MnesisStore -Path $store.Path }
        [GC]::Collect()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $reported = & $Body $store
        $elapsed = if ($reported -is [double]) { $reported } else { $clock.Elapsed.TotalSeconds }
        Close-MnesisPool -Pool $store.Pool
        if ($InDefaultPool) { Close-MnesisPool -Path $store.Path }
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

# The hand-written loops of the references, for either engine's connection.
$handLoopInTransaction = {
    param($store, $rows)
    $connection = Get-MnesisConnection -Store $store
    $transaction = $connection.BeginTransaction()
    $command = $connection.CreateCommand(); $command.Transaction = $transaction; $command.CommandText = $insert
    New-Parameters $command
    $pi = $command.Parameters['@i']; $ps = $command.Parameters['@s']; $pr = $command.Parameters['@r']; $pb = $command.Parameters['@b']
    foreach ($row in $rows) { $pi.Value = $row.i; $ps.Value = $row.s; $pr.Value = $row.r; $pb.Value = $row.b; $null = $command.ExecuteNonQuery() }
    $transaction.Commit(); $command.Dispose()
}
$handLoopPerCall = {
    param($store, $rows)
    $connection = Get-MnesisConnection -Store $store
    $command = $connection.CreateCommand(); $command.CommandText = $insert
    New-Parameters $command
    foreach ($row in $rows) {
        $command.Parameters['@i'].Value = $row.i; $command.Parameters['@s'].Value = $row.s; $command.Parameters['@r'].Value = $row.r; $command.Parameters['@b'].Value = $row.b
        $null = $command.ExecuteNonQuery()
    }
    $command.Dispose()
}

$results = [ordered]@{}
$results.A = Measure-Case { param($store) [Mnesis.Bench.Reference]::InsertSeconds((Get-MnesisConnection -Store $store), $rowsArray.i, $rowsArray.s, $rowsArray.r, [byte[][]]$rowsArray.b) }
$results.B = Measure-Case { param($store) & $handLoopInTransaction $store $rowsArray }
$results.C = Measure-Case { param($store) $null = $rowsArray | Invoke-MnesisWrite -Store $store -Query $insert }
$results.D = Measure-Case { param($store) $null = Invoke-MnesisWrite -Store $store -Query $insert -InputObject $rowsArray }
$results.E = Measure-Case { param($store) foreach ($row in $single) { $null = Invoke-MnesisWrite -Store $store -Query $insert -Parameters @{ i = $row.i; s = $row.s; r = $row.r; b = $row.b } } }
$results.E2 = Measure-Case -InDefaultPool { param($store) $path = $store.Path; foreach ($row in $single) { $null = Invoke-MnesisWrite -Path $path -Query $insert -Parameters @{ i = $row.i; s = $row.s; r = $row.r; b = $row.b } } }
$results.F = Measure-Case { param($store) & $handLoopPerCall $store $single }

# Floors: what PowerShell and the database cost before any of Mnesis's own work.
$results.NoopCall = Measure-Case { param($store) foreach ($row in $single) { $null = Invoke-BenchNoop -Store $store -Query $insert -Parameters @{ i = $row.i; s = $row.s; r = $row.r; b = $row.b } } }
$results.NoopPipe = Measure-Case { param($store) $null = $rowsArray | Invoke-BenchNoop -Store $store -Query $insert }
$results.Statement = Measure-Case {
    param($store)
    $command = (Get-MnesisConnection -Store $store).CreateCommand(); $command.CommandText = $insert
    New-Parameters $command
    $command.Parameters['@i'].Value = 1; $command.Parameters['@s'].Value = 'x'; $command.Parameters['@r'].Value = 0.5; $command.Parameters['@b'].Value = $blob
    for ($n = 0; $n -lt $Calls; $n++) { $null = $command.ExecuteNonQuery() }
    $command.Dispose()
}
$results.RowsOnly = Measure-Case { param($store) $rows = Get-BenchRow -Count $Rows; $null = $rows }

$readStore = New-BenchStore
$null = Invoke-MnesisWrite -Store $readStore -Query $insert -InputObject $rowsArray
$read = 'SELECT i, s, r, b FROM t'
$results.G = Measure-Case { param($store) $rows = Invoke-MnesisQuery -Store $readStore -Query $read; $null = $rows }
$results.GRef = Measure-Case {
    param($store)
    $command = (Get-MnesisConnection -Store $readStore).CreateCommand(); $command.CommandText = $read
    $reader = $command.ExecuteReader()
    $rows = while ($reader.Read()) { [pscustomobject]@{ i = $reader.GetValue(0); s = $reader.GetValue(1); r = $reader.GetValue(2); b = $reader.GetValue(3) } }
    $reader.Dispose(); $command.Dispose(); $null = $rows
}
$results.G2Ref = Measure-Case {
    param($store)
    $command = (Get-MnesisConnection -Store $readStore).CreateCommand(); $command.CommandText = $read
    $reader = $command.ExecuteReader()
    $table = [System.Data.DataTable]::new(); $table.Load($reader)
    $rows = foreach ($row in $table.Rows) { $row }
    $reader.Dispose(); $command.Dispose(); $null = $rows
}
# -As DataRow (PSSQLite's and dbatools' shape) against the same hand-written DataTable.Load loop.
$results.G3 = Measure-Case { param($store) $rows = Invoke-MnesisQuery -Store $readStore -Query $read -As DataRow; $null = $rows }
Close-MnesisPool -Pool $readStore.Pool
$results.G2 = $results.G

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
# I and its reference are single process starts, which the scheduler of a shared machine moves by
# tens of milliseconds: they run in turns (so a slow spell hits both) and more often than the rest.
$startups = @{ I = @(); IRef = @() }
$imports = "Import-Module '$ModulePath'; `$null = Invoke-MnesisWrite -Path '$child' -Query 'CREATE TABLE IF NOT EXISTS t(v); INSERT INTO t VALUES (1)'"
$startupRepeat = if ($Repeat -ge 5) { [math]::Max($Repeat, 11) } else { $Repeat }
foreach ($k in 1..$startupRepeat) {
    foreach ($case in 'I', 'IRef') {
        $command = if ($case -eq 'I') { $imports } else { 'exit' }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = & $pwsh.FilePath @($pwsh.Prefix) -NoProfile -NonInteractive -Command $command
        $startups[$case] += $clock.Elapsed.TotalSeconds
    }
}
$results.I = ($startups.I | Sort-Object)[[math]::Floor($startupRepeat / 2)]
$results.IRef = ($startups.IRef | Sort-Object)[[math]::Floor($startupRepeat / 2)]

if ($PostgresConnectionString) {
    $script:Engine = 'PostgreSQL'
    $pgRows = $rowsArray[0..($PostgresRows - 1)]
    $pgSingle = $rowsArray[0..($PostgresCalls - 1)]
    $results.PA = Measure-Case { param($store) [Mnesis.Bench.Reference]::InsertSeconds((Get-MnesisConnection -Store $store), $pgRows.i, $pgRows.s, $pgRows.r, [byte[][]]$pgRows.b) }
    $results.PB = Measure-Case { param($store) & $handLoopInTransaction $store $pgRows }
    $results.PC = Measure-Case { param($store) $null = $pgRows | Invoke-MnesisWrite -Store $store -Query $insert }
    $results.PD = Measure-Case { param($store) $null = Invoke-MnesisWrite -Store $store -Query $insert -InputObject $pgRows }
    $results.PE = Measure-Case { param($store) foreach ($row in $pgSingle) { $null = Invoke-MnesisWrite -Store $store -Query $insert -Parameters @{ i = $row.i; s = $row.s; r = $row.r; b = $row.b } } }
    $results.PF = Measure-Case { param($store) & $handLoopPerCall $store $pgSingle }
    # -Table (binary COPY) against today's pipeline insert, on the same rows.
    $copyRows = [object[]]::new($TableRows)
    for ($n = 0; $n -lt $TableRows; $n++) { $copyRows[$n] = [pscustomobject]@{ i = [long]$n; s = "name $n"; r = $n * 0.5; b = $blob } }
    $results.PTRef = Measure-Case { param($store) $null = $copyRows | Invoke-MnesisWrite -Store $store -Query $insert }
    $results.PT = Measure-Case { param($store) $null = $copyRows | Invoke-MnesisWrite -Store $store -Table t }
    # The same rows in hand (-InputObject): the COPY without PowerShell's per-object pipeline binding.
    $results.PT2 = Measure-Case { param($store) $null = Invoke-MnesisWrite -Store $store -Table t -InputObject $copyRows }
    # Each New-BenchStore recreates table t on the one server, so the rows to read live in a table of their own.
    $pgRead = New-BenchStore
    $null = Invoke-MnesisWrite -Store $pgRead -Query $insert -InputObject $pgRows
    $null = Invoke-MnesisWrite -Store $pgRead -Query 'DROP TABLE IF EXISTS t_read; CREATE TABLE t_read AS SELECT * FROM t'
    $read = 'SELECT i, s, r, b FROM t_read'
    $results.PG = Measure-Case { param($store) $rows = Invoke-MnesisQuery -Store $pgRead -Query $read; $null = $rows }
    $results.PGRef = Measure-Case {
        param($store)
        $command = (Get-MnesisConnection -Store $pgRead).CreateCommand(); $command.CommandText = $read
        $reader = $command.ExecuteReader()
        $rows = while ($reader.Read()) { [pscustomobject]@{ i = $reader.GetValue(0); s = $reader.GetValue(1); r = $reader.GetValue(2); b = $reader.GetValue(3) } }
        $reader.Dispose(); $command.Dispose(); $null = $rows
    }
    $null = Invoke-MnesisWrite -Store $pgRead -Query 'DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS t_read'
    Close-MnesisPool -Pool $pgRead.Pool
}
Remove-Item -Recurse -Force $folder

function Rate($count, $seconds) { '{0:N0}' -f ($count / $seconds) }
function Us($seconds, $count) { '{0:N2} us' -f ($seconds * 1e6 / $count) }
$cases = @(
    @{ Id = 'A'; What = 'C# prepared INSERT, one transaction'; Count = $Rows; Unit = 'rows/s'; Ratio = 1.0; Ref = 'A'; Target = '' }
    @{ Id = 'B'; What = 'PowerShell ADO.NET loop over PSCustomObjects, one transaction'; Count = $Rows; Unit = 'rows/s'; Ratio = $results.A / $results.B; Ref = 'A'; Target = '' }
    @{ Id = 'C'; What = '$rows \| Invoke-MnesisWrite -Query'; Count = $Rows; Unit = 'rows/s'; Ratio = $results.B / $results.C; Ref = 'B'; Target = '>= 1.0' }
    @{ Id = 'D'; What = 'Invoke-MnesisWrite -Query -InputObject $rows'; Count = $Rows; Unit = 'rows/s'; Ratio = $results.A / $results.D; Ref = 'A'; Target = '>= 0.6' }
    @{ Id = 'E'; What = "$Calls single-row Invoke-MnesisWrite -Store -Parameters calls"; Count = $Calls; Unit = 'tx/s'; Ratio = $results.F / $results.E; Ref = 'F'; Target = '>= 0.6' }
    @{ Id = 'E2'; What = "$Calls single-row Invoke-MnesisWrite -Path -Parameters calls (the README form)"; Count = $Calls; Unit = 'tx/s'; Ratio = $results.F / $results.E2; Ref = 'F'; Target = '>= 0.5' }
    @{ Id = 'F'; What = "$Calls hand-written ExecuteNonQuery calls, autocommit"; Count = $Calls; Unit = 'tx/s'; Ratio = 1.0; Ref = 'F'; Target = '' }
    @{ Id = 'G'; What = "Invoke-MnesisQuery of $Rows rows into a variable"; Count = $Rows; Unit = 'rows/s'; Ratio = $results.GRef / $results.G; Ref = 'reader loop'; Target = '>= 1.0' }
    @{ Id = 'G2'; What = "the same, against DataTable.Load(reader) with its rows enumerated into a variable"; Count = $Rows; Unit = 'rows/s'; Ratio = $results.G2Ref / $results.G; Ref = 'DataTable'; Target = '>= 1.0' }
    @{ Id = 'G3'; What = "Invoke-MnesisQuery -As DataRow of $Rows rows into a variable, against the same DataTable.Load loop"; Count = $Rows; Unit = 'rows/s'; Ratio = $results.G2Ref / $results.G3; Ref = 'DataTable'; Target = '>= 1.0' }
    @{ Id = 'H'; What = '8 runspaces doing case E2 at once (total; runspace start-up and import not timed)'; Count = $perWorker * 8; Unit = 'tx/s'; Ratio = $results.E2 / $Calls / ($results.H / ($perWorker * 8)); Ref = 'E2'; Target = '>= 1.0' }
    @{ Id = 'I'; What = 'fresh pwsh: import Mnesis, write one row (seconds; ratio = time / reference time)'; Count = 0; Unit = 's'; Ratio = $results.I / $results.IRef; Ref = 'pwsh -c exit'; Target = '<= 1.5' }
)
if ($PostgresConnectionString) {
    $cases += @(
        @{ Id = 'PA'; What = "PostgreSQL: C# prepared INSERT loop, one transaction"; Count = $PostgresRows; Unit = 'rows/s'; Ratio = 1.0; Ref = 'PA'; Target = '' }
        @{ Id = 'PB'; What = "PostgreSQL: PowerShell Npgsql loop, one transaction"; Count = $PostgresRows; Unit = 'rows/s'; Ratio = $results.PA / $results.PB; Ref = 'PA'; Target = '' }
        @{ Id = 'PC'; What = 'PostgreSQL: $rows \| Invoke-MnesisWrite -Query'; Count = $PostgresRows; Unit = 'rows/s'; Ratio = $results.PB / $results.PC; Ref = 'PB'; Target = '>= 1.0' }
        @{ Id = 'PD'; What = 'PostgreSQL: Invoke-MnesisWrite -Query -InputObject $rows'; Count = $PostgresRows; Unit = 'rows/s'; Ratio = $results.PA / $results.PD; Ref = 'PA'; Target = '>= 1.0' }
        @{ Id = 'PE'; What = "PostgreSQL: $PostgresCalls single-row Invoke-MnesisWrite -Parameters calls"; Count = $PostgresCalls; Unit = 'tx/s'; Ratio = $results.PF / $results.PE; Ref = 'PF'; Target = '>= 0.5' }
        @{ Id = 'PT'; What = 'PostgreSQL: $rows \| Invoke-MnesisWrite -Table (binary COPY)'; Count = $TableRows; Unit = 'rows/s'; Ratio = $results.PTRef / $results.PT; Ref = '$rows \| Invoke-MnesisWrite -Query'; Target = '>= 3.0' }
        @{ Id = 'PT2'; What = 'PostgreSQL: Invoke-MnesisWrite -Table -InputObject $rows (binary COPY)'; Count = $TableRows; Unit = 'rows/s'; Ratio = $results.PTRef / $results.PT2; Ref = '$rows \| Invoke-MnesisWrite -Query'; Target = '>= 3.0' }
        @{ Id = 'PF'; What = "PostgreSQL: $PostgresCalls hand-written ExecuteNonQuery calls, autocommit"; Count = $PostgresCalls; Unit = 'tx/s'; Ratio = 1.0; Ref = 'PF'; Target = '' }
        @{ Id = 'PG'; What = "PostgreSQL: Invoke-MnesisQuery of $PostgresRows rows into a variable"; Count = $PostgresRows; Unit = 'rows/s'; Ratio = $results.PGRef / $results.PG; Ref = 'reader loop'; Target = '>= 1.0' }
    )
}
$lines = @(
    '# Mnesis benchmark'
    ''
    "Date: $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(Get-Date -Format 'zzz'); machine: $([Environment]::ProcessorCount) cores, $([Runtime.InteropServices.RuntimeInformation]::OSDescription); pwsh $($PSVersionTable.PSVersion); $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)."
    "Each case ran $Repeat times on a fresh database (SQLite: WAL, synchronous=NORMAL; PostgreSQL: a fresh table on a local server), I and its reference $startupRepeat times in turns; medians. Ratio = speed of the case / speed of its reference, measured in the same run (for I: time / reference time)."
    ''
    '| case | what | median | rate | reference | ratio | target |'
    '|---|---|---|---|---|---|---|'
)
foreach ($c in $cases) {
    $rate = if ($c.Count) { "$(Rate $c.Count $results[$c.Id]) $($c.Unit)" } else { '' }
    $lines += "| $($c.Id) | $($c.What) | $('{0:N3} s' -f $results[$c.Id]) | $rate | $($c.Ref) | $('{0:N2}' -f $c.Ratio) | $($c.Target) |"
}
$lines += ''
$lines += "References: G's reader loop $('{0:N3} s' -f $results.GRef) ($(Rate $Rows $results.GRef) rows/s); G2's DataTable $('{0:N3} s' -f $results.G2Ref) ($(Rate $Rows $results.G2Ref) rows/s); I's pwsh -c exit $('{0:N3} s' -f $results.IRef)."
if ($PostgresConnectionString) { $lines += "PostgreSQL references: PG's reader loop $('{0:N3} s' -f $results.PGRef) ($(Rate $PostgresRows $results.PGRef) rows/s); PT's pipeline -Query insert $('{0:N3} s' -f $results.PTRef) ($(Rate $TableRows $results.PTRef) rows/s)." }
$lines += ''
$lines += 'Floors (the same run): what a call costs before any work of Mnesis, and the best ratio that leaves.'
$lines += "- E/E2: an empty cmdlet with E's arguments $(Us $results.NoopCall $Calls) + the bare prepared INSERT, autocommit $(Us $results.Statement $Calls) = $(Us ($results.NoopCall + $results.Statement) $Calls) a call; best possible ratio $('{0:N2}' -f ($results.F / ($results.NoopCall + $results.Statement)))."
$lines += "- C: piping the rows into an empty cmdlet that reads their four properties $(Us $results.NoopPipe $Rows) + case A's insert $(Us $results.A $Rows) = $(Us ($results.NoopPipe + $results.A) $Rows) a row; best possible ratio $('{0:N2}' -f ($results.B / ($results.NoopPipe + $results.A)))."
$lines += "- G2: making and writing $Rows PSCustomObjects of four columns, no database $(Us $results.RowsOnly $Rows) a row; best possible ratio $('{0:N2}' -f ($results.G2Ref / $results.RowsOnly)) before a single value is read."
$lines | Write-Host
if ($OutFile) { Set-Content -LiteralPath $OutFile -Value $lines }
