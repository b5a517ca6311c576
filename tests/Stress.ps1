<#
.SYNOPSIS
    The soak of issue 4: the mixed writers (runspaces, thread jobs, a RunspacePool, pwsh
    processes, python3) on one file for -DurationSeconds; fails on any lost or duplicated row,
    any writer error, or a failed integrity check.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [int] $DurationSeconds = 300
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Support/MixedLoad.ps1')

$folder = Join-Path ([IO.Path]::GetTempPath()) "mnesis-stress-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory $folder
$db = Join-Path $folder 'stress.db'
Write-Host "Stress: 12 mixed writers on $db for $DurationSeconds s"
$clock = [Diagnostics.Stopwatch]::StartNew()
$result = Invoke-MixedWriterLoad -ModulePath $ModulePath -DatabasePath $db -DurationSeconds $DurationSeconds
$clock.Stop()

$problems = [Collections.Generic.List[string]]::new($result.Failures)
$total = 0
foreach ($who in $result.Written.Keys | Sort-Object) {
    $wrote = $result.Written[$who]
    $stored = $result.Stored[$who]
    $total += $wrote
    Write-Host ("  {0,-14} wrote {1,8}  stored {2,8}" -f $who, $wrote, $stored.Count)
    if ($stored.Count -ne $wrote -or $stored.Max -ne $wrote) { $problems.Add("$who wrote $wrote rows but $($stored.Count) are stored") }
}
if ($result.Integrity -ne 'ok') { $problems.Add("integrity_check: $($result.Integrity)") }
Write-Host ("Stress: {0} transactions in {1:N0} s ({2:N0} tx/s), integrity {3}" -f $total, $clock.Elapsed.TotalSeconds, ($total / $clock.Elapsed.TotalSeconds), $result.Integrity)
Remove-Item -Recurse -Force $folder
if ($problems.Count) {
    $problems | ForEach-Object { Write-Host "FAILED: $_" }
    exit 1
}
Write-Host 'Stress: passed'
