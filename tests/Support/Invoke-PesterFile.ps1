<#
.SYNOPSIS
    Runs Pester on one test file in this process and writes its counts to -ResultFile as JSON.
    Started by Invoke-PesterSuite.ps1, one pwsh per test file, under a deadline.
#>
param(
    [Parameter(Mandatory)][string] $PesterPath,
    [Parameter(Mandatory)][string] $TestPath,
    [Parameter(Mandatory)][string] $ResultFile
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Should.ErrorAction = 'Continue'
$result = Invoke-Pester -Configuration $config

$failedNames = @(
    $result.Failed | ForEach-Object { $_.ExpandedPath }
    $result.FailedBlocks | ForEach-Object { "$($_.ExpandedPath) (setup or teardown)" }
    $result.FailedContainers | ForEach-Object { "$($_.Item) (the file itself)" }
)
# Each skipped test with its reason (Set-ItResult -Because, or the name that gives it for a -Skip).
$skippedNames = @(
    $result.Skipped | ForEach-Object {
        $because = if ($_.ErrorRecord) { @($_.ErrorRecord)[0].Exception.Message -replace '^is skipped,?\s*', '' }
        if ($because) { "$($_.ExpandedPath) ($because)" } else { $_.ExpandedPath }
    }
)
[ordered]@{
    Passed      = $result.PassedCount
    Failed      = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped     = $result.SkippedCount
    FailedNames = $failedNames
    SkippedNames = $skippedNames
} | ConvertTo-Json | Set-Content -LiteralPath $ResultFile

# The counts are out. Environment.Exit ends the process even if a failed test had to leave a
# runspace blocked (a returning script would wait for that runspace's thread forever).
[Environment]::Exit(0)
