BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
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
        $header | Should -Match '^Engine\s+Target\s+Open\s+WAL\s+Busy\(s\)\s+Writes\s+Grouped\s+Conflicts\s+Rollbacks\s+GateWait\s+OpenedAt$'
        $text | Should -Match "SQLite\s+$([regex]::Escape($store.Path))\s+True\s+True\s+30\s+1\s+0\s+0\s+0"
        $text | Should -BeLike "*$($store.Path)*"
    }

    It 'shows pools as a table of name, default flag and store count' {
        $text = $pool | Format-Table | Out-String -Width 200
        $text | Should -Match 'Name\s+Default\s+Stores\s+CreatedAt'
        $text | Should -Match "$($pool.Name)\s+False\s+1\s"
    }
}
