BeforeDiscovery {
    $cmdletNames = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../Mnesis.psd1')).CmdletsToExport
    Import-Module (Join-Path $PSScriptRoot '../tools/MarkdownHelp.psm1') -Force
    $examples = foreach ($file in Get-ChildItem (Join-Path $PSScriptRoot '../docs') -Filter '*-*.md') {
        $page = Read-CommandMarkdown $file.FullName
        foreach ($e in $page.Examples) { @{ Command = $page.Name; Title = $e.Title; Code = $e.Code } }
    }
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    Import-Module (Join-Path $PSScriptRoot '../tools/MarkdownHelp.psm1') -Force
    $common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name
    $mod = $env:MNESIS_TEST_MODULE
    $expectedCmdlets = 'Close-MnesisPool', 'Get-MnesisConnection', 'Get-MnesisPool', 'Invoke-MnesisQuery', 'Invoke-MnesisWrite', 'New-MnesisPool', 'Open-MnesisStore'
}

Describe 'Help for <_>' -ForEach $cmdletNames {
    BeforeAll {
        $name = $_
        $help = Get-Help $name -Full
        $command = Get-Command $name
        $page = Read-CommandMarkdown (Join-Path $PSScriptRoot "../docs/$name.md")
    }

    It 'has a synopsis and a description written for it' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$name *" -Because 'a generated synopsis is just the syntax'
        ($help.description.Text -join ' ').Length | Should -BeGreaterThan 80
    }

    It 'describes every parameter' {
        foreach ($parameter in $help.parameters.parameter) {
            ($parameter.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
        }
    }

    It 'has at least two examples' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.examples.example) { $example.code | Should -Not -BeNullOrEmpty }
    }

    It 'documents exactly the parameters the cmdlet has' {
        $actual = $command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object
        $page.Parameters.Name | Sort-Object | Should -Be $actual
    }

    It 'documents each parameter''s type as the cmdlet declares it' {
        foreach ($parameter in $page.Parameters) {
            $parameter.Blocks[0].Type | Should -Be $command.Parameters[$parameter.Name].ParameterType.Name -Because "-$($parameter.Name)"
        }
    }

    It 'documents each parameter''s aliases as the cmdlet declares them' {
        foreach ($parameter in $page.Parameters) {
            $documented = @(($parameter.Blocks[0].Aliases -split ',') | ForEach-Object Trim | Where-Object { $_ }) | Sort-Object
            $declared = @($command.Parameters[$parameter.Name].Aliases) | Sort-Object
            $documented -join ',' | Should -Be ($declared -join ',') -Because "-$($parameter.Name)"
        }
    }

    It 'documents every parameter set' {
        $documented = $page.SyntaxSets | ForEach-Object { $_ -replace '^__AllParameterSets$', '(All)' }
        $declared = if ($command.ParameterSets.Count -eq 1) { '(All)' } else { $command.ParameterSets.Name }
        $documented | Sort-Object | Should -Be ($declared | Sort-Object)
    }

    # Get-Help's syntax is built from each parameter's "Parameter Sets:" line: one set left out
    # there shows a syntax without that parameter (the -ConnectionString sets without -Query).
    It 'shows in Get-Help the parameters of every parameter set, mandatory or not, as the cmdlet declares them' {
        $fromHelp = @($help.syntax.syntaxItem | ForEach-Object {
                (@($_.parameter | Where-Object name -NotIn $common | ForEach-Object { "$($_.name)$(if ($_.required -eq 'true') { '!' })" }) | Sort-Object) -join ' '
            }) | Sort-Object
        $fromCommand = @($command.ParameterSets | ForEach-Object {
                (@($_.Parameters | Where-Object Name -NotIn $common | ForEach-Object { "$($_.Name)$(if ($_.IsMandatory) { '!' })" }) | Sort-Object) -join ' '
            }) | Sort-Object
        $fromHelp | Should -Be $fromCommand
    }
}

Describe 'about_Mnesis' {
    It 'is found by Get-Help and covers the pool, the gate and durability' {
        $text = Get-Help about_Mnesis | Out-String
        $text | Should -BeLike '*THE POOL*'
        $text | Should -BeLike '*THE WRITE GATE*'
        $text | Should -BeLike '*CONCURRENCY AND DURABILITY*'
    }

    It 'lists every error id the module defines' {
        $source = Get-Content -Raw (Join-Path $PSScriptRoot '../src/Diagnostics/Messages.cs')
        $ids = [regex]::Matches($source, '"(Mnesis[A-Za-z]+)", ErrorCategory') | ForEach-Object { $_.Groups[1].Value }
        $about = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/about_Mnesis.md')
        $ids.Count | Should -BeGreaterThan 20
        foreach ($id in $ids) { $about | Should -Match "\| $id \|" -Because "$id needs a line in the error table" }
    }
}

Describe 'about_Mnesis_Porting' {
    It 'is found by Get-Help and maps every PSSQLite and SimplySql command: <_>' -ForEach @(
        'Invoke-SqliteQuery', 'Invoke-SqliteBulkCopy', 'New-SQLiteConnection', 'Out-DataTable',
        'Open-SQLiteConnection', 'Open-PostGreConnection', 'Invoke-SqlQuery', 'Invoke-SqlUpdate', 'Invoke-SqlScalar',
        'Invoke-SqlBulkInsert', 'Close-SqlConnection', 'Start-SqlTransaction', 'Complete-SqlTransaction', 'Undo-SqlTransaction', '-ConnectionName'
    ) {
        $text = Get-Help about_Mnesis_Porting | Out-String
        $text | Should -BeLike '*BEHAVIOURS THAT DIFFER*'
        $text | Should -BeLike "*$_*"
    }

    It 'names only Mnesis cmdlets that exist' {
        $text = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/about_Mnesis_Porting.md')
        $named = [regex]::Matches($text, '\b[A-Z][a-z]+-Mnesis[A-Za-z]+\b') | ForEach-Object Value | Sort-Object -Unique
        $named | Should -Not -BeNullOrEmpty
        foreach ($name in $named) { $name | Should -BeIn $expectedCmdlets }
    }
}

# A PostgreSQL example names its server in its first line ($cs = '...'); it runs against a fresh
# database of the test server, and its example credential becomes the server's own.
Describe 'Documented example: <Command> / <Title>' -ForEach $examples {
    BeforeAll {
        $usesServer = $Code -match '-ConnectionString'
    }

    It 'runs without error in an empty folder' -Skip:($usesServer -and -not $env:MNESIS_TEST_POSTGRES) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $folder
        $script = $Code
        $database = $null
        if ($usesServer) {
            $database = New-TestPostgresDatabase
            $builder = Get-TestConnectionParts $database
            $script = $script -replace "(?m)^\`$cs = '[^']*'", "`$cs = '$database'"
            $script = $script -replace "(?m)^\`$credential = .*$", "`$credential = [pscredential]::new('$($builder['Username'])', (ConvertTo-SecureString '$($builder['Password'])' -AsPlainText -Force))"
        }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Set-Location -LiteralPath '$folder'; Import-Module '$($env:MNESIS_TEST_MODULE)'; `$ErrorActionPreference = 'Stop'`n$script`nClose-MnesisPool")
            $null = Invoke-TestPowerShell -PowerShell $ps -What "the documented example '$Title' of $Command" -TimeoutSeconds 120
            $ps.Streams.Error | Should -BeNullOrEmpty -Because $Code
        }
        finally {
            Remove-TestShell $ps
            if ($database) { Remove-TestPostgresDatabase $database }
        }
    }
}

Describe 'Tab completion of -Path' {
    BeforeAll {
        $pool = New-MnesisPool
        $first = Open-MnesisStore -Pool $pool -Path (Join-Path $TestDrive 'alpha.db')
        $second = Open-MnesisStore -Pool $pool -Path (Join-Path $TestDrive 'beta with space.db')
        $defaultStore = Open-MnesisStore -Path (Join-Path $TestDrive 'in-default.db')
        # The completer reads -Pool from a variable already set in this session.
        $global:MnesisCompletionPool = $pool
    }
    AfterAll {
        Close-MnesisPool -Pool $pool
        Close-MnesisPool -Store $defaultStore
        Remove-Variable -Scope Global -Name MnesisCompletionPool
    }

    It 'completes <_> -Path with the paths open in the default pool' -ForEach 'Get-MnesisConnection', 'Invoke-MnesisWrite', 'Invoke-MnesisQuery', 'Close-MnesisPool' {
        $line = "$_ -Path "
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $completions.ListItemText | Should -Contain $defaultStore.Path
        $completions.ListItemText | Should -Not -Contain $first.Path
    }

    It 'completes the paths of the pool given with -Pool, quoted, filtered by what was typed' {
        $line = 'Get-MnesisConnection -Pool $global:MnesisCompletionPool -Path beta'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $completions.ListItemText | Should -Be @($second.Path)
        $completions[0].CompletionText | Should -Be "'$($second.Path)'"
    }
}

Describe 'Tab completion of files' {
    BeforeAll {
        $folder = New-TestFolder
        $null = Invoke-Sqlite3 (Join-Path $folder 'inventory.db') 'CREATE TABLE t(v)'
        foreach ($side in 'inventory.db-wal', 'inventory.db-shm', 'inventory.db-journal') { $null = New-Item -ItemType File (Join-Path $folder $side) }
        $null = New-Item -ItemType Directory (Join-Path $folder 'inventory-archive')
        $open = Open-MnesisStore -Path (Join-Path $TestDrive 'inventory-open.db')
        Push-Location -LiteralPath $folder
    }
    AfterAll {
        Pop-Location
        Close-MnesisPool -Store $open
    }

    It 'completes <_> -Path with files and folders as well as the open stores' -ForEach 'Open-MnesisStore', 'Invoke-MnesisWrite', 'Invoke-MnesisQuery', 'Get-MnesisConnection', 'Close-MnesisPool' {
        $line = "$_ -Path inventory"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $completions.ListItemText | Should -Contain 'inventory.db'
        $completions.ListItemText | Should -Contain 'inventory-archive'
        $completions.ListItemText | Should -Contain $open.Path -Because 'the open stores come first'
        $completions[0].ListItemText | Should -Be $open.Path
    }

    It 'completes <_> -LiteralPath with files and folders, never SQLite''s -wal, -shm or -journal files' -ForEach 'Open-MnesisStore', 'Invoke-MnesisWrite', 'Invoke-MnesisQuery', 'Get-MnesisConnection', 'Close-MnesisPool' {
        $line = "$_ -LiteralPath ./inventory"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $completions.ListItemText | Should -Contain 'inventory.db'
        $completions.ListItemText | Should -Contain 'inventory-archive'
        $completions.ListItemText | Where-Object { $_ -match '-(wal|shm|journal)$' } | Should -BeNullOrEmpty
    }
}

Describe 'Formatted output' {
    BeforeAll {
        $pool = New-MnesisPool
        $store = Open-MnesisStore -Pool $pool -Path (Join-Path $TestDrive 'formatted.db')
        $null = Invoke-MnesisWrite -Store $store -Query 'CREATE TABLE t(v)'
    }
    AfterAll { Close-MnesisPool -Pool $pool }

    It 'shows stores as a table with the engine and target first and the write statistics' {
        $text = Get-MnesisPool -Pool $pool | Format-Table | Out-String -Width 250
        $header = ($text -split "`n" | Where-Object { $_ -match '\S' } | Select-Object -First 1).Trim()
        $header | Should -Match '^Engine\s+Target\s+WAL\s+Busy\(s\)\s+Writes\s+Rollbacks\s+GateWait$'
        $text | Should -Match "SQLite\s+$([regex]::Escape($store.Path))\s+True\s+30\s+1\s+0\s+0\.000 s"
    }

    It 'fits an 80-column console: one line per store under an unbroken header, however long the path' {
        $long = Open-MnesisStore -Pool $pool -Path (Join-Path (New-TestFolder) (('long-name-' * 8) + '.db'))
        try {
            $lines = @((Get-MnesisPool -Pool $pool | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_ -match '\S' })
            $lines | Should -HaveCount 4 -Because 'a header, its underline and one line per store; a column that does not fit wraps onto more lines'
            $lines[0] | Should -Match '^Engine\s+Target\s+WAL\s+Busy\(s\)\s+Writes\s+Rollbacks\s+GateWait\s*$'
            foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual 80 -Because "'$line' must fit" }
            foreach ($row in $lines[2..3]) { $row | Should -Match '\s30\s+\d+\s+0\s+0\.000 s\s*$' -Because 'the statistics of a store with a long path still show in full' }
        }
        finally { Close-MnesisPool -Store $long }
    }

    It 'shows pools as a table of name, default flag and store count' {
        $text = $pool | Format-Table | Out-String -Width 200
        $text | Should -Match 'Name\s+Default\s+Stores\s+CreatedAt'
        $text | Should -Match "$($pool.Name)\s+False\s+1\s"
    }
}

Describe 'The module''s manifest and conventions' {
    Context 'manifest and conventions' {
        It 'has a valid manifest that lists its cmdlets explicitly' {
            $manifest = Test-ModuleManifest -Path (Join-Path $mod 'Mnesis.psd1')
            $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
            $manifest.PowerShellVersion | Should -Be '5.1'
            $data = Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')
            $data.CmdletsToExport | Sort-Object | Should -Be $expectedCmdlets
            $data.CmdletsToExport -join '' | Should -Not -Match '[*?]'
        }

        It 'exports exactly its cmdlets' {
            (Get-Command -Module Mnesis).Name | Sort-Object | Should -Be $expectedCmdlets
        }

        It '<_> uses an approved verb, the Mnesis noun prefix and declares its output type' -ForEach @(
            'Close-MnesisPool', 'Get-MnesisConnection', 'Get-MnesisPool', 'Invoke-MnesisQuery', 'Invoke-MnesisWrite', 'New-MnesisPool', 'Open-MnesisStore'
        ) {
            $command = Get-Command $_
            (Get-Verb).Verb | Should -Contain $command.Verb
            $command.Noun | Should -BeLike 'Mnesis*'
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $false) | Should -Not -BeNullOrEmpty
        }

        It 'supports -WhatIf and -Confirm on Close-MnesisPool' {
            (Get-Command Close-MnesisPool).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command Close-MnesisPool).Parameters.Keys | Should -Contain 'Confirm'
        }

        It 'ships a native SQLite library for <_>' -ForEach @(
            'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'osx-x64', 'osx-arm64'
        ) {
            $file = if ($_ -like 'win-*') { 'e_sqlite3.dll' } elseif ($_ -like 'osx-*') { 'libe_sqlite3.dylib' } else { 'libe_sqlite3.so' }
            Join-Path $mod "runtimes/$_/native/$file" | Should -Exist
        }
    }
}
