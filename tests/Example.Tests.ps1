BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
}

# The runbook behind build.ps1 -Task Demo, run the way the Demo task runs it.
Describe 'examples/ServiceInventory.ps1' {
    BeforeAll {
        $output = Invoke-Pwsh -ArgumentList '-File', (Join-Path $PSScriptRoot '../examples/ServiceInventory.ps1'), '-ModulePath', $env:MNESIS_TEST_MODULE -What 'the example runbook' -TimeoutSeconds 60
        $exitCode = $LASTEXITCODE
        $text = $output -join "`n"
    }

    It 'runs to the end without error' {
        $exitCode | Should -Be 0 -Because $text
    }

    It 'stores 8 hosts x 4 services from its parallel runspaces' {
        $running = [int]([regex]::Match($text, 'running\s+(\d+)').Groups[1].Value)
        $stopped = [int]([regex]::Match($text, 'stopped\s+(\d+)').Groups[1].Value)
        $running + $stopped | Should -Be 32
    }

    It 'releases the file: its folder is deleted after Close-MnesisPool' {
        $folder = [regex]::Match($text, 'removed (\S+)\.').Groups[1].Value
        $folder | Should -Not -BeNullOrEmpty
        $folder | Should -Not -Exist
    }
}
