<#
.SYNOPSIS
    Runs the Pester suite against a built module; the last line is the summary CI reads.
#>
param(
    [Parameter(Mandatory)][string] $PesterPath,
    [Parameter(Mandatory)][string] $ModulePath,
    [string[]] $TestPath = @($PSScriptRoot)
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:MNESIS_TEST_MODULE = (Resolve-Path $ModulePath).ProviderPath

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Should.ErrorAction = 'Continue'
$result = Invoke-Pester -Configuration $config

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
Write-Host ''
Write-Host "Pester: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
exit ([int]($failed -gt 0 -or $result.PassedCount -eq 0))
