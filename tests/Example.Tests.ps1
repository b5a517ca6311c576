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

    It 'names the database on one line: every Mnesis call after it names the store it opened' {
        $calls = Select-String -LiteralPath (Join-Path $PSScriptRoot '../examples/ServiceInventory.ps1') -Pattern '\b\w+-Mnesis\w+\b.*-(Path|LiteralPath|DataSource|ConnectionString)\b'
        @($calls) | Should -BeNullOrEmpty -Because 'moving the runbook to PostgreSQL must be one changed line'
        @(Select-String -LiteralPath (Join-Path $PSScriptRoot '../examples/ServiceInventory.ps1') -Pattern '^\$database = ') | Should -HaveCount 1
    }

    It 'runs the same on PostgreSQL, given only a connection string' -Skip:(-not $env:MNESIS_TEST_POSTGRES) {
        $database = New-TestPostgresDatabase
        try {
            $pgOutput = Invoke-Pwsh -ArgumentList '-File', (Join-Path $PSScriptRoot '../examples/ServiceInventory.ps1'), '-ModulePath', $env:MNESIS_TEST_MODULE, '-ConnectionString', $database -What 'the example runbook on PostgreSQL' -TimeoutSeconds 90
            $pgText = $pgOutput -join "`n"
            $LASTEXITCODE | Should -Be 0 -Because $pgText
            $pgText | Should -BeLike '*(PostgreSQL)*'
            $running = [int]([regex]::Match($pgText, 'running\s+(\d+)').Groups[1].Value)
            $stopped = [int]([regex]::Match($pgText, 'stopped\s+(\d+)').Groups[1].Value)
            $running + $stopped | Should -Be 32
        }
        finally { Remove-TestPostgresDatabase $database }
    }
}
