# How to start another pwsh exactly like the running one. Under `dotnet pwsh` the process is the
# dotnet host, so the child needs pwsh.dll as its first argument. On the Windows run it is
# tools/WindowsHost's mnesis-pwsh.exe, which takes pwsh's command line itself.
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @{ FilePath = $process; Prefix = @(Join-Path $PSHOME 'pwsh.dll') }
    }
    @{ FilePath = $process; Prefix = @() }
}

# A ProcessStartInfo for a fresh pwsh -NoProfile -NonInteractive with the given arguments, started
# in the current PowerShell location (as `& pwsh` would be). Arguments are passed one by one, so
# paths with spaces need no quoting.
function New-PwshStartInfo {
    param(
        [Parameter(Mandatory)][string[]] $ArgumentList,
        [switch] $RedirectOutput
    )
    $pwsh = Get-PwshCommand
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh.FilePath)
    foreach ($argument in @($pwsh.Prefix) + @('-NoProfile', '-NonInteractive') + $ArgumentList) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath
    if ($RedirectOutput) {
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
    }
    $info
}

# Kills a process and every process it started; waits (bounded) until it is gone.
function Stop-ProcessTree {
    param([Parameter(Mandatory)][Diagnostics.Process] $Process)
    try { $Process.Kill($true) } catch [InvalidOperationException] { } # it exited meanwhile
    $null = $Process.WaitForExit(10000)
}

# Runs a fresh pwsh with the given arguments and returns its output lines (standard output, then
# standard error), setting $LASTEXITCODE. Waits at most -TimeoutSeconds: a child that runs longer
# is killed with its process tree and the call throws, naming -What.
function Invoke-Pwsh {
    param(
        [Parameter(Mandatory)][string[]] $ArgumentList,
        [double] $TimeoutSeconds = 180,
        [string] $What = "the child pwsh ($($ArgumentList -join ' '))"
    )
    $process = [Diagnostics.Process]::Start((New-PwshStartInfo -ArgumentList $ArgumentList -RedirectOutput))
    try {
        # Both pipes are drained at once, so a child writing much to one of them never blocks.
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit([int]($TimeoutSeconds * 1000))) {
            Stop-ProcessTree -Process $process
            $partial = if ($stdout.Wait(5000)) { $stdout.Result } else { '' }
            throw "Timed out after $TimeoutSeconds s waiting for $What (process $($process.Id)); killed it and its children. Its output so far:`n$partial"
        }
        # A grandchild that inherited the pipes may keep them open; the child's own output is in already.
        $null = [Threading.Tasks.Task]::WaitAll(@($stdout, $stderr), 10000)
        $global:LASTEXITCODE = $process.ExitCode
        foreach ($task in $stdout, $stderr) {
            if ($task.IsCompletedSuccessfully -and $task.Result) { $task.Result.TrimEnd("`r", "`n") -split '\r?\n' }
        }
    }
    finally { $process.Dispose() }
}

# Runs a pwsh script file in a child process that writes straight to this process's output, and
# waits at most -TimeoutSeconds. Returns the child's exit code, or $null when it ran past the limit
# and was killed with its process tree.
function Invoke-PwshFileWithDeadline {
    param(
        [Parameter(Mandatory)][string] $File,
        [string[]] $Arguments = @(),
        [Parameter(Mandatory)][double] $TimeoutSeconds
    )
    $process = [Diagnostics.Process]::Start((New-PwshStartInfo -ArgumentList (@('-File', $File) + $Arguments)))
    try {
        if ($process.WaitForExit([int][Math]::Min([int]::MaxValue, $TimeoutSeconds * 1000))) { return $process.ExitCode }
        Stop-ProcessTree -Process $process
        $null
    }
    finally { $process.Dispose() }
}
