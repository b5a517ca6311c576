<#
.SYNOPSIS
    Runs the Pester suite against a built module; the last line is the summary CI reads.
.DESCRIPTION
    Every test file runs in a pwsh of its own (Support/Invoke-PesterFile.ps1) with a deadline of
    -FileTimeoutSeconds. A file that runs past it, hung in a test or in its teardown, is killed
    with its process tree and counted as one failed test that names the file and the last test
    that finished; the other files still run. After each file the running totals go to
    -ProgressFile, for build.ps1's deadline on the whole suite. With -Platform the summary line
    names it ("Pester (Windows): ..."), and the skipped tests are listed with their reasons.
#>
param(
    [Parameter(Mandatory)][string] $PesterPath,
    [Parameter(Mandatory)][string] $ModulePath,
    [string[]] $TestPath = @($PSScriptRoot),
    [int] $FileTimeoutSeconds = 300,
    [string] $ProgressFile,
    [string] $Platform
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Support/Pwsh.ps1')
$env:MNESIS_TEST_MODULE = (Resolve-Path $ModulePath).ProviderPath
$runner = Join-Path $PSScriptRoot 'Support/Invoke-PesterFile.ps1'

$files = @(foreach ($path in $TestPath) {
        $item = Get-Item -Path $path
        if ($item.PSIsContainer) { Get-ChildItem -LiteralPath $item.FullName -Filter '*.Tests.ps1' -Recurse -File }
        else { $item }
    }) | Sort-Object FullName -Unique

$totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
$failures = [Collections.Generic.List[string]]::new()
$skips = [Collections.Generic.List[string]]::new()
$clock = [Diagnostics.Stopwatch]::StartNew()

# Runs one file; relays its output line by line, remembering the last block and test it reported.
function Invoke-TestFile([IO.FileInfo] $File) {
    $resultFile = Join-Path ([IO.Path]::GetTempPath()) "mnesis-pester-$([guid]::NewGuid().ToString('N')).json"
    $info = New-PwshStartInfo -ArgumentList '-File', $runner, '-PesterPath', $PesterPath, '-TestPath', $File.FullName, '-ResultFile', $resultFile
    $info.RedirectStandardOutput = $true
    # Under Wine, starting a process now and then fails with 'Internal error'; one more try.
    $process = try { [Diagnostics.Process]::Start($info) }
    catch {
        Start-Sleep -Seconds 2
        try { [Diagnostics.Process]::Start($info) }
        catch {
            $message = "$($File.Name): its pwsh could not be started: $($_.Exception.InnerException.Message)"
            [Console]::Out.WriteLine($message)
            $failures.Add($message)
            $totals.Failed++
            Remove-Item -LiteralPath $resultFile -ErrorAction Ignore
            return
        }
    }
    $deadline = [datetime]::UtcNow.AddSeconds($FileTimeoutSeconds)
    $lastBlock = $lastTest = $null
    $pending = $null
    $timedOut = $false
    try {
        while ($true) {
            if (-not $pending) { $pending = $process.StandardOutput.ReadLineAsync() }
            $waitMs = [int][Math]::Min(1000, [Math]::Max(0, ($deadline - [datetime]::UtcNow).TotalMilliseconds))
            if ($pending.Wait($waitMs)) {
                $line = $pending.Result
                $pending = $null
                if ($null -eq $line) { break }
                [Console]::Out.WriteLine($line)
                $plain = ($line -replace '\x1b\[[0-9;]*m', '').Trim()
                if ($plain -match '^(Describing|Context) ') { $lastBlock = $plain }
                elseif ($plain -match '^\[[+!-]\] ') { $lastTest = $plain }
                continue
            }
            # Exited, and nothing more came for a second: a grandchild may still hold the pipe open.
            if ($process.HasExited) { break }
            if ([datetime]::UtcNow -ge $deadline) { $timedOut = $true; break }
        }

        $result = $null
        if (Test-Path -LiteralPath $resultFile) { $result = Get-Content -Raw -LiteralPath $resultFile | ConvertFrom-Json }
        if ($timedOut) {
            Stop-ProcessTree -Process $process
            $where = if ($lastTest) { "The last test to finish was '$lastTest' in '$lastBlock'" } elseif ($lastBlock) { "No test finished; the last block started was '$lastBlock'" } else { 'No test finished' }
            $message = if ($result) { "$($File.Name): its tests finished but its pwsh did not exit within $FileTimeoutSeconds s; killed its process tree" }
            else { "HUNG: $($File.Name) ran past $FileTimeoutSeconds s; killed its process tree. $where." }
            [Console]::Out.WriteLine('')
            [Console]::Out.WriteLine($message)
            $failures.Add($message)
            $totals.Failed++
        }
        elseif (-not $process.WaitForExit(30000)) {
            Stop-ProcessTree -Process $process
        }
        if ($result) {
            $totals.Passed += $result.Passed
            $totals.Failed += $result.Failed
            $totals.Skipped += $result.Skipped
            foreach ($name in @($result.FailedNames)) { if ($name) { $failures.Add("$($File.Name): $name") } }
            foreach ($name in @($result.SkippedNames)) { if ($name) { $skips.Add("$($File.Name): $name") } }
        }
        elseif (-not $timedOut) {
            $message = "$($File.Name): its pwsh exited with code $($process.ExitCode) without reporting results"
            [Console]::Out.WriteLine($message)
            $failures.Add($message)
            $totals.Failed++
        }
    }
    finally {
        $process.Dispose()
        Remove-Item -LiteralPath $resultFile -ErrorAction Ignore
    }
}

foreach ($file in $files) {
    Invoke-TestFile $file
    if ($ProgressFile) { $totals | ConvertTo-Json -Compress | Set-Content -LiteralPath $ProgressFile }
}

Write-Host ''
Write-Host ("{0} test files in {1:N0} s" -f $files.Count, $clock.Elapsed.TotalSeconds)
if ($Platform) {
    Write-Host "Skipped on ${Platform}: $($skips.Count)"
    foreach ($skip in $skips) { Write-Host "SKIPPED: $skip" }
}
foreach ($failure in $failures) { Write-Host "FAILED: $failure" }
# The summary is out: build.ps1 tells a suite that ended early by the missing Done.
$totals.Done = $true
if ($ProgressFile) { $totals | ConvertTo-Json -Compress | Set-Content -LiteralPath $ProgressFile }
$label = if ($Platform) { "Pester ($Platform)" } else { 'Pester' }
Write-Host "${label}: $($totals.Passed) passed, $($totals.Failed) failed, $($totals.Skipped) skipped"
exit ([int]($totals.Failed -gt 0 -or $totals.Passed -eq 0))
