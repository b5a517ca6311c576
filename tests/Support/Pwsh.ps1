# How to start another pwsh exactly like the running one. Under `dotnet pwsh` the process is the
# dotnet host, so the child needs pwsh.dll as its first argument.
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @{ FilePath = $process; Prefix = @(Join-Path $PSHOME 'pwsh.dll') }
    }
    @{ FilePath = $process; Prefix = @() }
}

# Runs a fresh pwsh -NoProfile with the given arguments and returns its output lines.
function Invoke-Pwsh {
    param([Parameter(Mandatory)][string[]] $ArgumentList)
    $pwsh = Get-PwshCommand
    & $pwsh.FilePath @($pwsh.Prefix) -NoProfile -NonInteractive @ArgumentList
}
