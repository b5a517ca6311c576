BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
}

# A smoke run of build.ps1 -Task Bench at tiny sizes, so the benchmark cannot rot unnoticed.
# It asserts that every case ran and was reported, never a speed.
Describe 'The benchmark' {
    BeforeAll {
        $report = Join-Path $TestDrive 'bench.md'
        $arguments = '-File', (Join-Path $PSScriptRoot '../bench/Bench.ps1'), '-ModulePath', $env:MNESIS_TEST_MODULE,
            '-Rows', 300, '-Calls', 80, '-PostgresRows', 200, '-PostgresCalls', 40, '-TableRows', 200, '-Repeat', 1, '-OutFile', $report
        if ($env:MNESIS_TEST_POSTGRES) {
            $database = New-TestPostgresDatabase
            $arguments += '-PostgresConnectionString', $database
        }
        $output = Invoke-Pwsh -ArgumentList $arguments -What 'the benchmark at tiny sizes' -TimeoutSeconds 180 2>&1
        $exitCode = $LASTEXITCODE
    }

    It 'runs to the end' {
        $exitCode | Should -Be 0 -Because ($output -join "`n")
        $report | Should -Exist
    }

    AfterAll {
        if ($database) { Remove-TestPostgresDatabase $database }
    }

    It 'reports case <_> with a rate or time and a ratio' -ForEach 'A', 'B', 'C', 'D', 'E', 'E2', 'F', 'G', 'G2', 'G3', 'H', 'I' {
        $case = $_
        $row = Get-Content -LiteralPath $report | Where-Object { $_ -like "| $case |*" }
        $row | Should -Not -BeNullOrEmpty
        $cells = $row -split '(?<!\\)\|' | ForEach-Object Trim
        # cells: '', case, what, median, rate, reference, ratio, target, ''
        $cells[3] | Should -Match '^\d+([.,]\d+)? s$'
        [double]::Parse($cells[6], [Globalization.CultureInfo]::CurrentCulture) | Should -BeGreaterThan 0
    }

    It 'reports PostgreSQL case <_> against the test server' -ForEach 'PA', 'PB', 'PC', 'PD', 'PE', 'PF', 'PG', 'PT', 'PT2' {
        if (-not $env:MNESIS_TEST_POSTGRES) { Set-ItResult -Skipped -Because 'no PostgreSQL test server' ; return }
        $case = $_
        $row = Get-Content -LiteralPath $report | Where-Object { $_ -like "| $case |*" }
        $row | Should -Not -BeNullOrEmpty
        $cells = $row -split '(?<!\\)\|' | ForEach-Object Trim
        [double]::Parse($cells[6], [Globalization.CultureInfo]::CurrentCulture) | Should -BeGreaterThan 0
    }

    It 'reports the floor of <_> with the best ratio it leaves' -ForEach 'E/E2', 'C', 'G2' {
        $floor = $_
        $line = Get-Content -LiteralPath $report | Where-Object { $_ -like "- ${floor}:*" }
        $line | Should -Match 'best possible ratio \d+([.,]\d+)?'
    }

    It 'names the machine and the date' {
        Get-Content -Raw -LiteralPath $report | Should -Match "Date: \d{4}-\d{2}-\d{2}.*cores.*pwsh"
    }
}
