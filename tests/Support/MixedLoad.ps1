# The mixed-writer load of issue 4: parallel runspaces, thread jobs, a RunspacePool, separate pwsh
# processes and a python3 writer, all on one file at once. Used by Concurrency.Tests.ps1 (short)
# and by `build.ps1 -Task Stress` (minutes).
. (Join-Path $PSScriptRoot 'Pwsh.ps1')

# A writer's error with where it was thrown: the message alone rarely says which call failed.
function Format-WriterFailure([System.Management.Automation.ErrorRecord] $Failure) {
    $record = $Failure
    $deepest = $Failure.Exception
    while ($deepest.InnerException) {
        $deepest = $deepest.InnerException
        if ($deepest -is [System.Management.Automation.IContainsErrorRecord] -and $deepest.ErrorRecord.ScriptStackTrace) { $record = $deepest.ErrorRecord }
    }
    "$Failure [$($record.FullyQualifiedErrorId)] at $($record.ScriptStackTrace -replace '\r?\n', ' <- ') | $($deepest.GetType().FullName) $($deepest.StackTrace -replace '\r?\n', ' ')"
}

# Every writer must be done -GraceSeconds after the load's end (its duration, or its start for a
# fixed number of rows); one that is not is reported as a failure and stopped or killed, so a
# deadlock fails the run instead of hanging it.
function Invoke-MixedWriterLoad {
    param(
        [Parameter(Mandatory)][string] $ModulePath,
        [Parameter(Mandatory)][string] $DatabasePath,
        [int] $RowsPerWriter = 50,
        [int] $DurationSeconds = 0,
        [int] $GraceSeconds = 120
    )
    $deadline = [datetime]::UtcNow.AddSeconds($DurationSeconds + $GraceSeconds)
    $remainingMs = { [int][Math]::Max(0, ($deadline - [datetime]::UtcNow).TotalMilliseconds) }
    $writer = Join-Path $PSScriptRoot 'LoadWriter.ps1'
    $until = if ($DurationSeconds -gt 0) { [datetime]::UtcNow.AddSeconds($DurationSeconds).Ticks } else { 0L }
    $rows = if ($DurationSeconds -gt 0) { 0 } else { $RowsPerWriter }
    & ($env:MNESIS_TEST_SQLITE3 ?? 'sqlite3') -batch $DatabasePath 'PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS load(id INTEGER PRIMARY KEY, who TEXT NOT NULL, seq INTEGER NOT NULL, UNIQUE(who, seq)); CREATE TABLE IF NOT EXISTS counter(n INTEGER); INSERT INTO counter SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM counter);' | Out-Null

    $outDir = Join-Path ([IO.Path]::GetTempPath()) "mnesis-load-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory $outDir
    $pwsh = Get-PwshCommand
    $processes = foreach ($i in 1..3) {
        $arguments = @($pwsh.Prefix) + @('-NoProfile', '-NonInteractive', '-File', "`"$writer`"", '-ModulePath', "`"$ModulePath`"",
            '-DatabasePath', "`"$DatabasePath`"", '-Who', "process$i", '-Rows', $rows, '-UntilTicks', $until)
        [pscustomobject]@{ Who = "process$i"; Process = Start-Process $pwsh.FilePath -ArgumentList $arguments -PassThru -RedirectStandardOutput (Join-Path $outDir "process$i.out") -RedirectStandardError (Join-Path $outDir "process$i.err") }
    }
    $python = @"
import sqlite3, sys, time
db, rows, until = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db, isolation_level=None, timeout=60)
seq = 0
epoch = 621355968000000000
while (rows > 0 and seq < rows) or (until > 0 and (time.time() * 10**7 + epoch) < until):
    seq += 1
    c.execute('BEGIN IMMEDIATE')
    c.execute('INSERT INTO load(who, seq) VALUES (?, ?)', ('python', seq))
    c.execute('COMMIT')
print(seq)
"@
    if ($IsWindows) {
        # No python3 on the Windows run: the sqlite3 shell (its stand-in there) is the writer from
        # outside .NET's pwsh, one BEGIN IMMEDIATE transaction a row, then prints how many it wrote.
        if ($rows -le 0) { throw 'On Windows the sqlite3 writer takes a number of rows (-RowsPerWriter), not a duration.' }
        $foreign = 'sqlite3'
        $statements = (1..$rows | ForEach-Object { "BEGIN IMMEDIATE; INSERT INTO load(who, seq) VALUES ('sqlite3', $_); COMMIT;" }) -join ' '
        $foreignProcess = Start-Process $env:MNESIS_TEST_SQLITE3 -ArgumentList '-batch', "`"$DatabasePath`"", '".timeout 60000"', "`"$statements SELECT $rows;`"" -PassThru -RedirectStandardOutput (Join-Path $outDir 'sqlite3.out') -RedirectStandardError (Join-Path $outDir 'sqlite3.err')
    }
    else {
        $foreign = 'python'
        $pythonFile = Join-Path $outDir 'writer.py'
        Set-Content -LiteralPath $pythonFile -Value $python
        $foreignProcess = Start-Process python3 -ArgumentList "`"$pythonFile`"", "`"$DatabasePath`"", $rows, $until -PassThru -RedirectStandardOutput (Join-Path $outDir 'python.out') -RedirectStandardError (Join-Path $outDir 'python.err')
    }

    $jobs = foreach ($i in 1..2) { Start-ThreadJob -FilePath $writer -ArgumentList $ModulePath, $DatabasePath, "threadjob$i", $rows, $until }
    $runspacePool = [runspacefactory]::CreateRunspacePool(1, 2)
    $runspacePool.Open()
    $shells = foreach ($i in 1..2) {
        $ps = [powershell]::Create()
        $ps.RunspacePool = $runspacePool
        $null = $ps.AddCommand($writer).AddArgument($ModulePath).AddArgument($DatabasePath).AddArgument("runspacepool$i").AddArgument($rows).AddArgument($until)
        [pscustomobject]@{ Who = "runspacepool$i"; Shell = $ps; Async = $ps.BeginInvoke() }
    }

    $written = @{}
    $failures = [Collections.Generic.List[string]]::new()
    # -Parallel takes no -ErrorAction: the iterations that -TimeoutSeconds stops are errors to count, not to throw.
    $ErrorActionPreference = 'Continue'
    $parallel = @(1..4 | ForEach-Object -ThrottleLimit 4 -TimeoutSeconds ([Math]::Max(1, (& $remainingMs) / 1000)) -Parallel {
            $who = "parallel$_"
            try { [pscustomobject]@{ Who = $who; Count = [int](& $using:writer $using:ModulePath $using:DatabasePath $who $using:rows $using:until | Select-Object -Last 1) } }
            catch { [pscustomobject]@{ Who = $who; Error = "$_" } }
        })
    $ErrorActionPreference = 'Stop'
    foreach ($p in $parallel) { if ($p.PSObject.Properties['Error']) { $failures.Add("$($p.Who): $($p.Error)") } else { $written[$p.Who] = $p.Count } }
    foreach ($i in 1..4) { if (-not ($parallel | Where-Object Who -EQ "parallel$i")) { $failures.Add("parallel${i}: not done within the time limit (stopped)") } }

    $stuck = $false
    foreach ($s in $shells) {
        if (-not $s.Async.AsyncWaitHandle.WaitOne((& $remainingMs))) {
            $failures.Add("$($s.Who): not done within the time limit (stopped)")
            $stuck = $true
            $null = $s.Shell.BeginStop($null, $null)
            continue
        }
        try { $written[$s.Who] = [int]($s.Shell.EndInvoke($s.Async) | Select-Object -Last 1) }
        catch { $failures.Add("$($s.Who): $(Format-WriterFailure $_)") }
        $s.Shell.Dispose()
    }
    # Disposing closes the pool's runspaces, which waits for a write stuck in them; leave it then.
    if (-not $stuck) { $runspacePool.Dispose() }
    $i = 0
    foreach ($job in $jobs) {
        $i++
        if (-not ($job | Wait-Job -Timeout ([Math]::Max(1, [int]((& $remainingMs) / 1000))))) {
            $failures.Add("threadjob${i}: not done within the time limit (left running)")
            continue
        }
        try { $written["threadjob$i"] = [int]($job | Receive-Job -ErrorAction Stop | Select-Object -Last 1) }
        catch { $failures.Add("threadjob${i}: $(Format-WriterFailure $_)") }
        $job | Remove-Job
    }
    foreach ($p in @($processes) + [pscustomobject]@{ Who = $foreign; Process = $foreignProcess }) {
        if (-not $p.Process.WaitForExit((& $remainingMs))) {
            $failures.Add("$($p.Who): not done within the time limit (killed)")
            Stop-ProcessTree -Process $p.Process
        }
        elseif ($p.Process.ExitCode -ne 0) { $failures.Add("$($p.Who): exit $($p.Process.ExitCode) $(Get-Content -Raw (Join-Path $outDir "$($p.Who).err"))") }
        else { $written[$p.Who] = [int](Get-Content (Join-Path $outDir "$($p.Who).out") | Select-Object -Last 1) }
    }
    Remove-Item -Recurse -Force $outDir

    $stored = @{}
    foreach ($line in & ($env:MNESIS_TEST_SQLITE3 ?? 'sqlite3') -batch $DatabasePath 'SELECT who, count(*), max(seq) FROM load GROUP BY who') {
        $who, $count, $max = $line -split '\|'
        $stored[$who] = [pscustomobject]@{ Count = [int]$count; Max = [int]$max }
    }
    [pscustomobject]@{
        Written   = $written
        Stored    = $stored
        Failures  = $failures
        Counter   = [int](& ($env:MNESIS_TEST_SQLITE3 ?? 'sqlite3') -batch $DatabasePath 'SELECT n FROM counter')
        Integrity = (& ($env:MNESIS_TEST_SQLITE3 ?? 'sqlite3') -batch $DatabasePath 'PRAGMA integrity_check') -join ' '
    }
}
